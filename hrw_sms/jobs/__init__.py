"""The job-queue API shared by the web layer, the handlers, the demo and the workers: the
queues, scheduling, a broadcast's batches, and what a queued text is about (consent).

May use: store/, base/, flows/. It names worker functions by string ("workers.deliver.deliver")
and never imports workers/.
"""
