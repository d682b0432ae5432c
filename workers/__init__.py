"""RQ jobs: outbound sending, reminders, broadcasts."""
