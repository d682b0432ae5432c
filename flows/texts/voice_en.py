"""English words only the voice line says: prompts, menus and spoken times.

Meeting names, the welcome, the agreements and the kind of meeting come from the shared
catalog (flows/texts/en.py), so a call says the same things a text does."""

TEXTS: dict[str, str] = {
    "language_tag": "en-US",
    "greeting": "Hi, this is the Harm Reduction Works-HRW meeting line. Peer meetings, no sign-up.",
    "main_menu": (
        "For upcoming meetings, press 1. For our welcome, press 2. "
        "For our community agreements, press 3. To get the meetings list by text, press 4. "
        "To hear this again, press 0."
    ),
    "offer": "For English, press 9.",  # said in English inside the Spanish menu
    "hints": (
        "meetings, welcome, agreements, text me, Spanish, español, repeat, menu, more, "
        "online, today, tomorrow, zip code, goodbye"
    ),
    "language_set": "OK, English.",
    "not_understood": "Sorry, we didn't catch that.",
    "not_an_option": "Sorry, that's not one of the choices.",
    "silence": "Sorry, we didn't hear anything.",
    "goodbye": (
        "Thanks for calling Harm Reduction Works-HRW. This number also answers texts: "
        "text MEETINGS to it any time. Goodbye."
    ),
    "apology": (
        "Sorry, our line is having trouble right now. Please call again soon, or text MEETINGS "
        "to this number. To reach a person, {contact}. Goodbye."
    ),
    # lists
    "heading_soonest": "Here are the next meetings.",
    "heading_soonest_more": "More meetings.",
    "heading_today": "Meetings today.",
    "heading_tomorrow": "Meetings tomorrow.",
    "heading_online": "Online meetings.",
    "heading_near": "Meetings near {place}.",
    "zip_code": "zip code {digits}",
    "item": "{n}: {when}. {name}, {where}.",
    "item_cancelled": "{n}, cancelled: {when}, {name}.",
    "miles": "about {miles} miles away",
    "mile": "about a mile away",
    "under_a_mile": "less than a mile away",
    "in_place": "in {place}",
    "online": "online",
    "in_place_and_online": "in {place} and online",
    "list_menu_one": "For its details, press 1.",
    "list_menu_many": "For a meeting's details, press its number.",
    "list_menu": "To get this list by text, press 4. To search near a zip code, press 5.",
    "list_menu_more": "For more meetings, press 6.",
    "list_menu_end": "To hear the list again, press 0. For the main menu, press star.",
    # times
    "today": "today",
    "tomorrow": "tomorrow",
    "next_day": "next {day}",
    "days": "Sunday Monday Tuesday Wednesday Thursday Friday Saturday",
    "on_day_at": "{day} at {time}",
    "started_at": "started at {time}",
    "noon": "noon",
    "midnight": "midnight",
    "zone": "{zone} time",
    "zone_eastern": "Eastern",
    "zone_central": "Central",
    "zone_mountain": "Mountain",
    "zone_pacific": "Pacific",
    "zone_alaska": "Alaska",
    "zone_hawaii": "Hawaii",
    # details
    "details_when": "{day} at {start}, until {end}, {zone}.",
    "details_cancelled": "This one is cancelled.",
    "details_at": "At {place}.",
    "details_online": "It meets online.",
    "details_also_online": "It also meets online.",
    "details_dial": "To join by phone, call {digits}.",
    "details_code": "Then enter {digits}.",
    "details_link": "Press 4 and we'll text you the link to join.",
    "details_notes": "Notes: {notes}",
    "details_menu": (
        "For this group's welcome, press 2. For its agreements, press 3. "
        "To get these details by text, press 4. To go back to the list, press 1. "
        "To hear this again, press 0. For the main menu, press star."
    ),
    # welcome and agreements
    "group_says": "From {group}:",
    "group_menu": (
        "To hear it again, press 0. For upcoming meetings, press 1. For the welcome, press 2. "
        "For the agreements, press 3. To get the meetings list by text, press 4. "
        "For the main menu, press star."
    ),
    # zip codes
    "zip_prompt": "Please enter a 5-digit zip code. For the main menu, press star.",
    "zip_bad": "Sorry, a zip code has 5 digits.",
    # text me
    "sent_list": "OK, we're texting you the list now. It can take a minute to arrive.",
    "sent_details": "OK, we're texting you the details now. It can take a minute to arrive.",
    "texts_off": (
        "Texts to your number are turned off, so we can't send it. To turn them back on, "
        "text START to this number."
    ),
    "no_number": (
        "Sorry, we can't text you: this call's number is hidden. You can text MEETINGS to "
        "this number instead."
    ),
    "cannot_send": "Sorry, we can't send texts right now. Please try again later.",
    # the participant flow's answers, worded for the ear
    "no_results": "We found no meetings{what} in the coming week. Online meetings are open to everyone.",
    "no_results_online": "We found no online meetings{what} in the coming week.",
    "what_today": " for today",
    "what_tomorrow": " for tomorrow",
    "what_near": " within 300 miles of {place}",
    "place_unknown": "Sorry, we don't know {place}.",
    "no_more": "That's all the meetings for the coming week.",
    "no_list": "Please choose upcoming meetings first.",
    "no_such_number": "That meeting isn't on this list.",
    "meeting_gone": "That meeting is no longer listed.",
    # loops and floods (hrw_sms/handlers/throttle.py)
    "text_limit": "We've already texted your number several times this hour, so we won't send more now. Please try again later, or text MEETINGS to this number.",
    "details_dial_notes": "When the line asks: {notes}.",
    "heading_tonight": "Meetings tonight.",
    "what_tonight": " for tonight",
    # the peer line (flows/voice.py Talk; hrw_sms/web/voice.py rings the volunteers)
    "peer_menu": "To talk with a peer now, press 7.",
    "peer_hints": "talk, peer, person, hablar",
    "peer_safety": (
        "This is peer support, not an emergency service. In an emergency, call 9 1 1. "
        "The 9 8 8 Lifeline answers calls and texts at 9 8 8."
    ),
    "peer_crisis_line": "You can also call {line}.",
    "peer_connecting": "Calling a peer for you now. Please stay on the line.",
    "peer_whisper": "This is a call from the H R W peer line. Press 1 to take it.",
    "peer_taken": "Thank you. Someone else already took this call. Goodbye.",
    "peer_connect": "Connecting you now.",
    "peer_none": "No peer is free right now. The next shift starts {when}.",
    "peer_none_ever": "No peer is on shift right now.",
    "peer_nobody_took": "Sorry, no peer could take the call just now. The next shift starts {when}.",
    "peer_text_route": "You can also text TALK to this number, and a peer will text you back.",
    "details_place_notes": "About the place: {notes}.",
    "peer_busy": "Sorry, no one could pick up just now. Please try again in a few minutes.",
}
