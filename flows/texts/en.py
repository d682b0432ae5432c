"""English texts. Plain, warm, short; GSM-7 characters only (straight quotes, plain dashes)."""

TEXTS: dict[str, str] = {
    "program": "Harm Reduction Works-HRW",
    "menu": (
        "Harm Reduction Works-HRW: peer meetings, no sign-up.\n"
        "Text MEETINGS for times (or MEETINGS TODAY, ONLINE, or a zip code)\n"
        "WELCOME to read our welcome\n"
        "AGREEMENTS for our community agreements\n"
        "HELP for help. ESPANOL para español."
    ),
    "not_understood": "Sorry, we didn't catch that.",
    "help": (
        "Harm Reduction Works-HRW meeting line. Text MEETINGS, WELCOME, AGREEMENTS or MENU. "
        "To reach a person, {contact}. Text FORGET to erase your number, STOP to end all texts. "
        "Msg & data rates may apply."
    ),
    "default_contact": "talk with the host at any meeting",
    "opted_in": (
        "Welcome back to Harm Reduction Works-HRW. Text MENU to see what this line can do. "
        "Text STOP any time to stop."
    ),
    "opt_out_hint": "To stop all texts from this number, reply with just the word STOP.",
    "nothing_pending": "There's nothing waiting for a yes right now.",
    "language_set": "OK, we'll text you in English.",
    "forget_confirm": (
        "This erases everything we keep about your number (language, reminders). "
        "Reply YES to erase it, or anything else to keep it."
    ),
    "forget_done": "Done: we erased what we kept about your number. You're welcome back any time.",
    # lists
    "heading_soonest": "Coming up:",
    "heading_soonest_more": "More meetings:",
    "heading_today": "Today:",
    "heading_tomorrow": "Tomorrow:",
    "heading_online": "Online meetings:",
    "heading_near": "Near {place}:",
    "footer_more": "Reply a number for details, MORE for more.",
    "footer_end": "Reply a number for details.",
    "no_more": "That's the whole list for this week. Text MEETINGS ONLINE or MENU.",
    "no_results": "No meetings found{what}. Online meetings are open to all: text MEETINGS ONLINE. Or text MENU.",
    "no_results_online": "No online meetings found{what} this week. Text MEETINGS for all meetings, or MENU.",
    "what_today": " for today",
    "what_tomorrow": " for tomorrow",
    "what_near": " near {place}",
    "place_unknown": (
        "We couldn't find {place}. Try a 5-digit zip code (MEETINGS 01060) or text MEETINGS ONLINE."
    ),
    "no_list": "Text MEETINGS first, then reply with a number from the list.",
    "no_such_number": "There's no number {n} on your list (1-{count}). Reply a number from it, or MEETINGS.",
    "meeting_gone": "That meeting is no longer listed. Text MEETINGS for the current list.",
    "today": "Today",
    "tomorrow": "Tomorrow",
    "days": "Sun Mon Tue Wed Thu Fri Sat",
    "online": "online",
    "miles": "{miles} mi",
    "started": "Started",
    "cancelled": "CANCELLED",
    "reminder_mark": "*",
    # reminders
    "remind_confirm": (
        "Harm Reduction Works-HRW: you'll get a text {lead} before {meeting} ({when}), plus "
        "updates and cancellations from {group}. About {count} a week. Reply NOREMIND to end "
        "them, HELP for help, STOP to end all texts. Msg & data rates may apply."
    ),
    "texts_one": "1 text",
    "texts_many": "{n} texts",
    "lead_minutes": "{n} min",
    "lead_hour": "1 hour",
    "lead_hours": "{n} hours",
    "remind_which": "Reply REMIND and a number from your list, like REMIND 1. Text MEETINGS for the list.",
    "noremind_all": "OK, your reminders and group updates are off. Text MEETINGS any time.",
    "noremind_one": "OK, no more reminders for {meeting}.",
    "noremind_none": "You have no reminders. Text MEETINGS, then REMIND and a number from the list.",
    "noremind_which": "Reply NOREMIND and the list number of a meeting you get reminders for, or just NOREMIND to end them all.",
    "reminder_legend": "* = you get reminders",
    "details_footer_remind": "Text REMIND {n} for reminders, WELCOME or AGREEMENTS for this group's, or MENU.",
    # details
    "kind_open": "Open meeting: anyone curious about harm reduction is welcome.",
    "kind_focused": (
        "Focused meeting: for people who use or drink now, used to, or are thinking about it."
    ),
    "kind_open_short": "Open meeting.",
    "kind_focused_short": "Focused meeting.",
    "details_cancelled": "This one is CANCELLED.",
    "details_join": "Join: {url}",
    "details_dial": "Dial in: {phone}",
    "details_footer": "Text WELCOME or AGREEMENTS for this group's, or MENU.",
    # welcome and agreements
    "welcome_general": (
        "Welcome to Harm Reduction Works-HRW: peer meetings built on harm reduction. "
        "Open meetings are for anyone curious. Focused meetings are for people who use or drink "
        "now, used to, or are thinking about it. Abstinence is part of harm reduction too."
    ),
    "welcome_open": (
        "Welcome to Harm Reduction Works-HRW. This is an open meeting: anyone curious about "
        "harm reduction belongs here, whatever your history with using or drinking. Share as "
        "much or as little as you like. We start with a short exercise, then talk together."
    ),
    "welcome_focused": (
        "Welcome to Harm Reduction Works-HRW. This is a focused meeting, for people who use or "
        "drink now, used to, or are thinking about it. Nobody here decides your goals for you. "
        "Share as much or as little as you like. A short exercise first, then we talk."
    ),
    "agreements_general": (
        "Our community agreements: Treat everyone with respect. What's shared here stays here. "
        "Speak for yourself and let others finish. No judging anyone's choices. Keep good "
        "boundaries and ask before touching. Look after yourself and each other."
    ),
    "group_says": "{group}:",
    "fallback": (
        "Sorry, our line is having trouble right now. Please try again soon: text MEETINGS, "
        "WELCOME, AGREEMENTS or HELP. To reach a person, {contact}."
    ),
    # sent by the workers
    "reminder": "Harm Reduction Works-HRW reminder: {meeting}, {when}.\n{where}\nReply NOREMIND to stop reminders.",
    "cancelled_notice": "Harm Reduction Works-HRW: {meeting}, {when}, is cancelled. Text MEETINGS for other meetings. Reply NOREMIND to stop reminders.",
    # broadcasts
    "broadcast": "{group}: {text}\nReply STOP to end texts.",
    "broadcast_too_long": "That broadcast would be {length} characters as sent{double}, {segments} texts. The limit is 3 texts ({limit} characters with the group name and STOP line): cut about {count} characters.",
    # hosts: answers by text
    "host_confirmed": "Thank you! You're hosting {meeting}, {when}. We'll text you a reminder before. If something comes up, reply NO.",
    "host_confirmed_back": "Thank you! You're hosting {meeting}, {when} after all. We'll let the other hosts and your coordinator know.",
    "host_already_confirmed": "You're all set to host {meeting}, {when}. Thank you! If something comes up, reply NO.",
    "host_declined": "Thanks for letting us know. We'll ask the group's other hosts to cover {meeting}, {when}, and tell your coordinator. Changed your mind? Reply YES.",
    "host_already_declined": "Got it, you're not hosting {meeting}, {when}. We're asking the other hosts. Changed your mind? Reply YES.",
    "host_covered_by_other": "Another host is covering {meeting}, {when}, so you're all set. Thank you!",
    "host_cover_taken": "Thank you! {meeting}, {when} is yours to host. We'll let the other hosts and your coordinator know.",
    "host_cover_already_yours": "You're hosting {meeting}, {when}. Thank you! If you can't make it after all, please tell your coordinator.",
    "host_cover_not_needed": "Thanks for offering! {meeting}, {when} is covered now, so there's nothing more to do.",
    "host_cover_no": "No problem, thanks for letting us know.",
    "host_cancelled": "{meeting}, {when}, is cancelled, so there's nothing to host. Thank you!",
    "host_meeting_gone": "That meeting is no longer on the schedule, so there's nothing to answer. Thank you!",
    "host_exercise_saved": "Thanks! Your exercise for {meeting}, {when} is noted. Text EXERCISE again to change it.",
    "host_exercise_empty": "Text EXERCISE and a few words about it, like: EXERCISE a short reading on harm reduction, then sharing.",
    "host_exercise_too_long": "That's a bit long for a text. Please keep the exercise under {max} characters (yours has {n}).",
    "host_exercise_none": "We don't see a meeting for you to host coming up. Your coordinator can put you on the roster.",
    # hosts: sent by the workers
    "host_ask": "Harm Reduction Works-HRW: hi! You're on the roster to host {meeting}, {when}. Can you host it? Reply YES or NO.",
    "host_ask_again": "Harm Reduction Works-HRW: hi again! Can you still host {meeting}, {when}? Reply YES or NO, so there's time to find a cover if needed.",
    "host_reminder": "Harm Reduction Works-HRW: thank you for hosting {meeting}, {when}. If something comes up, reply NO and we'll find a cover.",
    "host_reminder_cover": "Harm Reduction Works-HRW: thank you for covering {meeting}, {when}. See you there!",
    "host_exercise_line": "Your exercise: {exercise}",
    "host_exercise_invite": "Choosing the exercise? Text EXERCISE and a few words (a reading, a podcast, a question) to note it.",
    "host_cover_ask": "Harm Reduction Works-HRW: {meeting}, {when} needs a host. Can you cover it? Reply YES to take it, or NO. Thank you!",
    "host_covered_notice": "Harm Reduction Works-HRW: thank you! {meeting}, {when} is covered now, no need to reply.",
    "host_cancelled_notice": "Harm Reduction Works-HRW: {meeting}, {when}, is cancelled, so no need to host. Thank you!",
    "coord_host_declined": "Harm Reduction Works-HRW: {host} can't host {meeting}, {when}.",
    "coord_host_no_answer": "Harm Reduction Works-HRW: {host} hasn't answered about hosting {meeting}, {when}.",
    "coord_asking_others": "We're asking the group's other hosts to cover.",
    "coord_no_other_hosts": "There's no other host in the group to ask: a cover is needed.",
    "coord_host_covered": "Harm Reduction Works-HRW: good news, {host} is covering {meeting}, {when}.",
    "coord_host_back": "Harm Reduction Works-HRW: good news, {host} will host {meeting}, {when} after all.",
    # coordinators
    "broadcast_how": "Put your message after the word, like: BROADCAST We meet in room 3 tonight.",
    "broadcast_which": "Which group is it for? Reply with its number:\n{choices}",
    "broadcast_which_again": "Reply with a number from 1 to {count} to pick the group, or NO to drop the broadcast.",
    "broadcast_preview": "This goes to {count} subscribers of {group}. Reply YES to send it, or NO to drop it. It will read:",
    "broadcast_sending": "Sending to {count} people now. Text STATUS to see how it's going.",
    "broadcast_expired": "That broadcast wasn't sent: the YES came more than 10 minutes later. Send BROADCAST again if you still want it out.",
    "broadcast_dropped": "OK, not sent.",
    "broadcast_nobody": "Nobody gets {group}'s updates yet (people join by texting REMIND for one of its meetings). Nothing was sent.",
    "cancel_how": "Text MEETINGS, then CANCEL and the list number, like CANCEL 2. For a later date: CANCEL 2 2026-12-01.",
    "cancel_not_yours": "That meeting belongs to a group you don't coordinate, so it can't be cancelled from here.",
    "cancel_preview": "Cancel {meeting}, {when}? {count} subscribers will be told, and the host if one is set. Reply YES to cancel it, or NO to keep it.",
    "cancel_done": "Cancelled. We're letting {count} people know.",
    "cancel_kept": "OK, it stays on.",
    "cancel_expired": "Nothing was cancelled: the YES came more than 10 minutes later. Send CANCEL again if you still need to.",
    "cancel_already": "{meeting}, {when}, is already cancelled.",
    "cancel_bad_date": "{meeting} doesn't meet on that date. Give a coming date as YYYY-MM-DD, like CANCEL 2 2026-12-01.",
    "status_none": "No broadcasts from your groups in the last week.",
    "status": "Last broadcast to {group}: {total} in all. Waiting {queued}, sent {sent}, delivered {delivered}, failed {failed}.",
    "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "date": "{weekday} {month}/{day}",
    "choices_two": "{first} or {last}",
    "choices_two_u": "{first} or {last}",
    "choices_range": "{first}-{last}",
    "next_step": "Text MEETINGS for times near you.",
    # added by words: answers the line gives itself
    "optout_confirm": "Done: you won't get more texts from Harm Reduction Works-HRW. Text START to get them again.",
    "forget_kept": "OK, nothing was erased. Text MENU to see what this line can do.",
    # loops and floods (hrw_sms/handlers/throttle.py)
    "throttled": "We'll be quiet for a while: we got a lot of texts from this number. Text HELP or STOP any time.",
    "channel_only": "Harm Reduction Works-HRW works by ordinary text message (SMS) only. Please text MEETINGS to this number from your phone's messages app.",
    "feed_failing": "Harm Reduction Works-HRW: heads up, the meeting list at {feed} stopped updating ({reason}). The line keeps showing the meetings it had. We'll text you when it's back.",
    "feed_recovered": "Harm Reduction Works-HRW: good news, the meeting list at {feed} is updating again. The line now shows what it lists.",
    # one of a count: text() picks "<key>_one" when count is 1
    "no_such_number_one": "There's no number {n} on your list (it has only {count}). Reply {count}, or MEETINGS.",
    "broadcast_which_again_one": "Reply {count} to pick the group, or NO to drop the broadcast.",
    "broadcast_preview_one": "This goes to {count} subscriber of {group}. Reply YES to send it, or NO to drop it. It will read:",
    "broadcast_sending_one": "Sending to {count} person now. Text STATUS to see how it's going.",
    "cancel_preview_one": "Cancel {meeting}, {when}? {count} subscriber will be told, and the host if one is set. Reply YES to cancel it, or NO to keep it.",
    "cancel_done_one": "Cancelled. We're letting {count} person know.",
    "heading_tonight": "Tonight:",
    "what_tonight": " for tonight",
    # FORGET, for a number with a role (host, coordinator)
    "forget_confirm_roles": (
        "This erases everything we keep about your number (language, reminders) and your "
        "host or coordinator role: you'd have to be added again. Reply YES to erase it, or "
        "anything else to keep it."
    ),
    # the console (hrw_sms/web/console): the code is the only 6-digit number in the text
    "console_code": "Your Harm Reduction Works-HRW console code is {code}. It works for 10 minutes. If you didn't ask for it, ignore this text.",
    # the peer line (flows/peer.py, hrw_sms/handlers/peer.py)
    "peer_safety": "This is peer support, not an emergency service. In an emergency call 911. For the 988 Lifeline, call or text 988.",
    "peer_safety_local": "Local line: {line}.",
    "peer_asked": "We're finding a peer to talk with you. You'll get a text when one is here; text DONE to stop asking. {safety}",
    "peer_offer": "HRW peer line: someone would like to talk (#{code}). Reply TAKE to take it. Their number stays private, and so does yours.",
    "peer_taken_other": "Thanks! Someone else already took #{code}.",
    "peer_nothing_to_take": "No one is waiting to talk right now. Thanks for being there.",
    "peer_connected_person": "A peer is here. Text anything and it goes to them; text DONE to end. {safety}",
    "peer_connected_volunteer": "You're connected (#{code}). Your texts go to them from this line, without your number. Text DONE to end.",
    "peer_none": "No peer is free right now. The next shift starts {when}. Text TALK then. {safety}",
    "peer_none_ever": "No peer is on shift right now. {safety}",
    "peer_waiting": "We're still looking for a peer for you. Text DONE to stop asking. {safety}",
    "peer_nobody_took": "Sorry, no peer could take it just now. Text TALK to try again. {safety}",
    "peer_cancelled": "OK, we stopped looking. Text TALK any time. {safety}",
    "peer_done": "The conversation has ended. Text TALK any time to talk again. {safety}",
    "peer_done_volunteer": "Conversation #{code} has ended. Thank you.",
    "peer_idle": "The conversation ended after an hour without texts. Text TALK any time to talk again. {safety}",
    "peer_pick": "You hold {count} conversations: start your text with its code, like #{code} then your words.",
    "peer_limit": "You asked for a peer several times just now. Please wait a little and text TALK again. {safety}",
    "help_peer": "To talk with a peer now, text TALK. It's peer support, not an emergency service: in an emergency call 911; call or text 988 for the crisis lifeline.",
    "miles_about": "about {miles} mi",
    "peer_connected_more": "You're connected (#{code}). You now hold {n} conversations: start each text with its code, like #{code} then your words. Text DONE #{code} to end this one.",
    "host_cleared_notice": "Harm Reduction Works-HRW: your coordinator changed the roster, so there's no need for you to host {meeting}, {when}. Thank you!",
    "broadcast_too_long_one": "That broadcast would be {length} characters as sent{double}, {segments} texts. The limit is 3 texts ({limit} characters with the group name and STOP line): cut about 1 character.",
    "broadcast_counts_double": " (counting {chars} as 2 each)",
    "broadcast_all_dropped": "That broadcast would arrive empty: texts can't carry emoji and some other characters, so they are dropped in sending. Please write it in words.",
    "broadcast_most_dropped": "That broadcast would lose most of its characters: texts can't carry emoji and some other characters, so they are dropped in sending. Please write it in words.",
    "coord_cover_left": "Harm Reduction Works-HRW: the host who was covering {meeting}, {when} can't any more.",
}
