"""Spanish words only the voice line says. Accents stay: the voice reads them. Numbers the
voice would misread as digits are words ("cinco cifras"; times and miles are put in words by
flows.render_voice); single keys to press stay digits ("oprime 1"), which voices read well.

Meeting names, the welcome, the agreements and the kind of meeting come from the shared
catalog (flows/texts/es.py), so a call says the same things a text does."""

TEXTS: dict[str, str] = {
    "language_tag": "es-US",
    "greeting": "Hola, esta es la línea de reuniones de Harm Reduction Works-HRW.",
    "main_menu": (
        "Para las próximas reuniones, oprime 1. Para nuestra bienvenida, oprime 2. "
        "Para los acuerdos de la comunidad, oprime 3. Para recibir la lista de reuniones por "
        "mensaje de texto, oprime 4. Para repetir, oprime 0."
    ),
    "offer": "Para español, oprime 9.",  # said in Spanish inside the English menu
    "hints": (
        "reuniones, bienvenida, acuerdos, mensaje, inglés, English, repetir, menú, más, "
        "en línea, virtuales, hoy, mañana, código postal, adiós"
    ),
    "language_set": "Listo, en español.",
    "not_understood": "Perdón, no entendimos.",
    "not_an_option": "Perdón, esa no es una de las opciones.",
    "silence": "Perdón, no escuchamos nada.",
    "goodbye": (
        "Gracias por llamar a Harm Reduction Works-HRW. Este número también responde mensajes "
        "de texto: envía REUNIONES cuando quieras. Adiós."
    ),
    "apology": (
        "Perdón, nuestra línea tiene problemas ahora. Llama de nuevo pronto, o envía REUNIONES "
        "por mensaje de texto a este número. Para hablar con una persona, {contact}. Adiós."
    ),
    # lists
    "heading_soonest": "Estas son las próximas reuniones.",
    "heading_soonest_more": "Más reuniones.",
    "heading_today": "Reuniones de hoy.",
    "heading_tomorrow": "Reuniones de mañana.",
    "heading_online": "Reuniones en línea.",
    "heading_near": "Reuniones cerca del {place}.",
    "zip_code": "código postal {digits}",
    "item": "{n}: {when}. {name}, {where}.",
    "item_cancelled": "{n}, cancelada: {when}, {name}.",
    "miles": "a unas {miles} millas",
    "mile": "a una milla más o menos",
    "under_a_mile": "a menos de una milla",
    "in_place": "en {place}",
    "online": "en línea",
    "in_place_and_online": "en {place} y en línea",
    "list_menu_one": "Para los detalles, oprime 1.",
    "list_menu_many": "Para los detalles de una reunión, oprime su número.",
    "list_menu": (
        "Para recibir esta lista por mensaje de texto, oprime 4. "
        "Para buscar cerca de un código postal, oprime 5."
    ),
    "list_menu_more": "Para más reuniones, oprime 6.",
    "list_menu_end": "Para oír la lista otra vez, oprime 0. Para el menú principal, oprime asterisco.",
    # times
    "today": "hoy",
    "tomorrow": "mañana",
    "next_day": "el próximo {day}",
    "days": "domingo lunes martes miércoles jueves viernes sábado",
    "on_day_at": "{day} a {time}",
    "started_at": "empezó a {time}",
    "noon": "el mediodía",
    "midnight": "la medianoche",
    "zone": "hora {zone}",
    "zone_eastern": "del Este",
    "zone_central": "del Centro",
    "zone_mountain": "de la Montaña",
    "zone_pacific": "del Pacífico",
    "zone_alaska": "de Alaska",
    "zone_hawaii": "de Hawái",
    # details
    "details_when": "{day} a {start}, hasta {end}, {zone}.",
    "details_cancelled": "Esta reunión está cancelada.",
    "details_at": "En {place}.",
    "details_online": "Se reúne en línea.",
    "details_also_online": "También se reúne en línea.",
    "details_dial": "Para unirte por teléfono, llama al {digits}.",
    "details_code": "Luego marca {digits}.",
    "details_link": "Oprime 4 y te enviamos el enlace por mensaje de texto.",
    "details_notes": "Notas: {notes}",
    "details_menu": (
        "Para la bienvenida de este grupo, oprime 2. Para sus acuerdos, oprime 3. "
        "Para recibir estos detalles por mensaje de texto, oprime 4. Para volver a la lista, "
        "oprime 1. Para repetir, oprime 0. Para el menú principal, oprime asterisco."
    ),
    # welcome and agreements
    "group_says": "De {group}:",
    "group_menu": (
        "Para oírlo otra vez, oprime 0. Para las próximas reuniones, oprime 1. Para la "
        "bienvenida, oprime 2. Para los acuerdos, oprime 3. Para recibir la lista por mensaje "
        "de texto, oprime 4. Para el menú principal, oprime asterisco."
    ),
    # zip codes
    "zip_prompt": "Marca un código postal de cinco cifras. Para el menú principal, oprime asterisco.",
    "zip_bad": "Perdón, un código postal tiene cinco cifras.",
    # text me
    "sent_list": "Listo, te enviamos la lista por mensaje de texto. Puede tardar un minuto.",
    "sent_details": "Listo, te enviamos los detalles por mensaje de texto. Puede tardar un minuto.",
    "texts_off": (
        "Los mensajes de texto a tu número están apagados, así que no podemos enviarlo. Para "
        "activarlos otra vez, envía START a este número."
    ),
    "no_number": (
        "Perdón, no podemos enviarte un mensaje: el número de esta llamada está oculto. Puedes "
        "enviar REUNIONES por mensaje de texto a este número."
    ),
    "cannot_send": "Perdón, ahora no podemos enviar mensajes de texto. Inténtalo más tarde.",
    # the participant flow's answers, worded for the ear
    "no_results": (
        "No encontramos reuniones{what} en la próxima semana. Las reuniones en línea están "
        "abiertas a todo el mundo."
    ),
    "no_results_online": "No encontramos reuniones en línea{what} en la próxima semana.",
    "what_today": " para hoy",
    "what_tomorrow": " para mañana",
    "what_near": " a menos de trescientas millas del {place}",
    "place_unknown": "Perdón, no conocemos el {place}.",
    "no_more": "Esas son todas las reuniones de la próxima semana.",
    "no_list": "Primero elige las próximas reuniones.",
    "no_such_number": "Esa reunión no está en esta lista.",
    "meeting_gone": "Esa reunión ya no aparece.",
    # loops and floods (hrw_sms/handlers/throttle.py)
    "text_limit": "Ya te mandamos varios mensajes en esta hora, así que por ahora no enviaremos más. Inténtalo más tarde, o manda REUNIONES por mensaje a este número.",
    "details_dial_notes": "Cuando la línea lo pida: {notes}.",
    "heading_tonight": "Reuniones de esta noche.",
    "what_tonight": " para esta noche",
    # the peer line (flows/voice.py Talk; hrw_sms/web/voice.py rings the volunteers)
    "peer_menu": "Para hablar ahora con un par, oprime 7.",
    "peer_hints": "hablar, persona, par, talk",
    "peer_safety": (
        "Esto es apoyo entre pares, no un servicio de emergencias. En una emergencia, llama "
        "al 9 1 1. La línea 9 8 8 responde llamadas y mensajes en el 9 8 8."
    ),
    "peer_crisis_line": "También puedes llamar al {line}.",
    "peer_connecting": "Estamos llamando a un par para ti. Por favor, no cuelgues.",
    "peer_whisper": "Esta es una llamada de la línea de pares de H R W. Oprime 1 para contestar.",
    "peer_taken": "Gracias. Alguien más ya tomó esta llamada. Adiós.",
    "peer_connect": "Te conectamos ahora.",
    "peer_none": "No hay un par libre ahora. El próximo turno empieza {when}.",
    "peer_none_ever": "No hay un par de turno ahora.",
    "peer_nobody_took": "Lo sentimos, ningún par pudo tomar la llamada ahora. El próximo turno empieza {when}.",
    "peer_text_route": "También puedes enviar HABLAR por mensaje a este número, y un par te responderá.",
    "details_place_notes": "Sobre el lugar: {notes}.",
    "peer_busy": "Lo sentimos, nadie pudo contestar ahora. Por favor, vuelve a llamar en unos minutos.",
}
