"""Spanish texts, written once for the phone's screen and the voice line.

SMS policy (deliberate; `PYTHONPATH=$PWD python3 bench/spanish_segments.py --before REV`
measures it; the figures are in the README's "Spanish" section):

- GSM-7, the plain phone's alphabet, has é ñ ü ¿ ¡ but not á í ó ú; one of those turns the
  whole text into UCS-2, 70 characters a segment instead of 160 (sent with every accent,
  this catalog's old wording cost 208 segments instead of 133, and 7 texts broke the
  3-segment limit). So these texts are written to need no á í ó ú where a natural word
  exists: "Siguientes" for "Próximas", "Escribe" for "Envía", "virtual" for "en línea",
  "se cancela" for "está cancelada", "dejar de recibir" for "no recibir más", "por eso" for
  "así que", "zip" for "código postal" (as Spanish speakers in the US say).
- What cannot be avoided ("sáb" in a Saturday date, a group's own words, a meeting's name)
  is spelled right here ("reducir daños" says harm reduction without the ó of "reducción"), because the voice line reads these same texts and needs every
  accent. flows.gsm.to_gsm folds it when the text goes out by SMS, and folds a whole message
  consistently: a message that loses one acute accent (á í ó ú) loses its é too, so no text
  is half-accented ("Qué bueno ... esta linea" reads as typos). ñ ¿ ¡ ü always stay.
- Words that change meaning or look misspelt when folded (está/esta, más/mas, sí/si,
  llegó/llego, avisará/avisara, línea/linea, envía/envia, reunión/reunion, número/numero,
  aquí/aqui...) never appear here accented: tests/test_spanish.py keeps the list and checks
  every text as rendered with real long names.
- Tú throughout, one word for the host ("quien facilita", the verb "facilitar") and one for
  the coordinator ("quien coordina tu grupo"). No article before a {when}: it may be "hoy",
  "mañana" or "mar 1 dic"; wording never agrees with a meeting's name (names have any gender).
- Keywords the person types stay in capitals and without accents (SI, MENU, REUNIONES).

Voice keeps every accent (flows/texts/voice_es.py); new keys go at the end of TEXTS."""

TEXTS: dict[str, str] = {
    "program": "Harm Reduction Works-HRW",
    "menu": (
        "Harm Reduction Works-HRW: reuniones entre pares, sin registrarte.\n"
        "Escribe REUNIONES para ver horarios (o REUNIONES HOY, REUNIONES VIRTUALES, o tu zip)\n"
        "BIENVENIDA para leer la bienvenida\n"
        "ACUERDOS para los acuerdos de la comunidad\n"
        "AYUDA para ayuda. ENGLISH for English."
    ),
    "not_understood": "Perdona, no entendimos.",
    "help": (
        "Harm Reduction Works-HRW: reuniones entre pares. Escribe REUNIONES, BIENVENIDA, "
        "ACUERDOS o MENU. Para hablar con una persona, {contact}. Escribe OLVIDAR para borrar "
        "tus datos, STOP para dejar de recibir mensajes. Pueden aplicar tarifas."
    ),
    "default_contact": "habla con quien facilita cualquiera de las reuniones",
    "opted_in": (
        "Qué bueno tenerte de vuelta en Harm Reduction Works-HRW. Escribe MENU para ver lo que "
        "ofrecemos. Escribe STOP cuando quieras dejar de recibir mensajes."
    ),
    "opt_out_hint": "Para dejar de recibir nuestros mensajes, responde solo con la palabra STOP.",
    "nothing_pending": "Ahora no tienes nada pendiente de confirmar.",
    "language_set": "Listo, te escribiremos en español.",
    "forget_confirm": (
        "Esto borra todo lo que guardamos sobre ti (idioma, recordatorios). "
        "Responde SI para borrarlo, o cualquier otra cosa para conservarlo."
    ),
    "forget_done": "Listo: borramos todo lo que guardamos sobre ti. Puedes volver cuando quieras.",
    "heading_soonest": "Siguientes reuniones:",
    "heading_soonest_more": "Otras reuniones:",
    "heading_today": "Hoy:",
    "heading_tomorrow": "Mañana:",
    "heading_online": "Reuniones virtuales:",
    "heading_near": "Cerca de {place}:",
    "footer_more": "Responde {choices} para ver detalles, o SIGUIENTE para ver otras.",
    "footer_end": "Responde {choices} para ver detalles.",
    "no_more": "Esa es toda la lista de esta semana. Escribe REUNIONES VIRTUALES o MENU.",
    "no_results": (
        "No encontramos reuniones{what}. Las virtuales son para todo el mundo: escribe "
        "REUNIONES VIRTUALES. O escribe MENU."
    ),
    "no_results_online": (
        "No encontramos reuniones virtuales{what} esta semana. Escribe REUNIONES para ver "
        "todas, o MENU."
    ),
    "what_today": " para hoy",
    "what_tomorrow": " para mañana",
    "what_near": " cerca de {place}",
    "place_unknown": (
        "No encontramos {place}. Prueba con un zip de 5 cifras (REUNIONES 01060) o escribe "
        "REUNIONES VIRTUALES."
    ),
    "no_list": "Primero escribe REUNIONES, y luego responde 1, 2, 3... para ver detalles.",
    "no_such_number": "Tu lista va del 1 al {count}: no tiene el {n}. Responde uno de esos, o escribe REUNIONES.",
    "meeting_gone": "Ya no la tenemos en la lista. Escribe REUNIONES para ver la lista actual.",
    "today": "Hoy",
    "tomorrow": "Mañana",
    "days": "dom lun mar mié jue vie sáb",
    "online": "virtual",
    "miles": "{miles} mi",
    "started": "En curso desde",
    "cancelled": "SE CANCELA",
    "reminder_mark": "*",
    "remind_confirm": (
        "Harm Reduction Works-HRW: te escribimos {lead} antes de {meeting} ({when}), y te "
        "mandamos avisos y cambios de {group}. Aproximadamente {count} por semana. Responde "
        "NORECORDAR para dejar de recibirlos, AYUDA para ayuda, STOP para no recibir nada. "
        "Pueden aplicar tarifas."
    ),
    "texts_one": "1 mensaje",
    "texts_many": "{n} mensajes",
    "lead_minutes": "{n} min",
    "lead_hour": "1 hora",
    "lead_hours": "{n} horas",
    "remind_which": "Responde RECORDAR y el 1, 2, 3... de tu lista, por ejemplo RECORDAR 1. Escribe REUNIONES para ver la lista.",
    "noremind_all": "Listo, apagamos tus recordatorios y los avisos de grupos. Escribe REUNIONES cuando quieras.",
    "noremind_one": "Listo, ya no te mandamos recordatorios de {meeting}.",
    "noremind_none": "No tienes recordatorios. Escribe REUNIONES y luego RECORDAR y el 1, 2, 3... de la lista.",
    "noremind_which": "Responde NORECORDAR y el 1, 2, 3... de tu lista para apagar uno, o solo NORECORDAR para apagarlos todos.",
    "reminder_legend": "* = recibes recordatorios",
    "details_footer_remind": "Escribe RECORDAR {n} para recordatorios, BIENVENIDA o ACUERDOS para leer los textos de este grupo, o MENU.",
    "kind_open": "Puede venir cualquier persona con curiosidad por reducir daños.",
    "kind_focused": (
        "Es para quienes consumen o beben ahora, lo hicieron antes o lo tienen en mente."
    ),
    "kind_open_short": "Puede venir cualquier persona.",
    "kind_focused_short": "Para quienes consumen o beben.",
    "details_cancelled": "Esta vez se CANCELA.",
    "details_join": "Entra: {url}",
    "details_dial": "Por teléfono: {phone}",
    "details_footer": "Escribe BIENVENIDA o ACUERDOS para leer los textos de este grupo, o MENU.",
    "welcome_general": (
        "Te damos la bienvenida a Harm Reduction Works-HRW: reuniones entre pares para reducir "
        "daños. Las abiertas son para cualquier persona con curiosidad. Las enfocadas son para "
        "quienes consumen o beben ahora, lo hicieron antes o lo tienen en mente. Dejarlo del "
        "todo también es una forma de reducir daños."
    ),
    "welcome_open": (
        "Te damos la bienvenida a Harm Reduction Works-HRW. Este grupo es abierto: si tienes "
        "curiosidad por reducir daños, este es tu lugar, sea cual sea tu historia con el "
        "consumo o la bebida. Comparte tanto o tan poco como quieras. Empezamos con un ejercicio "
        "corto y luego conversamos."
    ),
    "welcome_focused": (
        "Te damos la bienvenida a Harm Reduction Works-HRW. Este grupo es para quienes consumen "
        "o beben ahora, lo hicieron antes o lo tienen en mente. Nadie decide tus metas por ti. "
        "Comparte tanto o tan poco como quieras. Primero un ejercicio corto, luego conversamos."
    ),
    "agreements_general": (
        "Nuestros acuerdos: Trata a cada persona con respeto. Lo que se comparte en el grupo, en "
        "el grupo se queda. Habla por ti y deja que otras personas terminen. No juzgamos las "
        "decisiones de nadie. Respeta el espacio de cada quien y pregunta antes de tocar. Cuida "
        "de ti y de quienes te rodean."
    ),
    "group_says": "{group}:",
    "fallback": (
        "Perdona, ahora tenemos problemas. Prueba otra vez pronto: escribe REUNIONES, "
        "BIENVENIDA, ACUERDOS o AYUDA. Para hablar con una persona, {contact}."
    ),
    "reminder": "Recordatorio de Harm Reduction Works-HRW: {meeting}, {when}.\n{where}\nResponde NORECORDAR para dejar de recibir recordatorios.",
    "cancelled_notice": "Harm Reduction Works-HRW: se cancela {meeting}, {when}. Escribe REUNIONES para ver otras. Responde NORECORDAR para dejar de recibir recordatorios.",
    # broadcasts
    "broadcast": "{group}: {text}\nResponde STOP para dejar de recibir mensajes.",
    "broadcast_too_long": "Ese aviso ocupa {length} caracteres{double}, {segments} mensajes. Caben 3 mensajes como mucho ({limit} caracteres con el nombre del grupo y la frase de STOP): recorta unos {count} caracteres.",
    # hosts: answers by text
    "host_confirmed": "¡Gracias! Facilitas {meeting}, {when}. Te mandaremos un recordatorio antes. Si surge algo, responde NO.",
    "host_confirmed_back": "¡Gracias! Al final facilitas {meeting}, {when}. Avisaremos al resto de quienes facilitan y a quien coordina tu grupo.",
    "host_already_confirmed": "Todo listo: facilitas {meeting}, {when}. ¡Gracias! Si surge algo, responde NO.",
    "host_declined": "Gracias por avisar. Pediremos al resto de quienes facilitan en el grupo que cubran {meeting}, {when}, y avisaremos a quien coordina tu grupo. ¿Cambiaste de idea? Responde SI.",
    "host_already_declined": "Entendido, no facilitas {meeting}, {when}. Estamos preguntando al resto de quienes facilitan. ¿Cambiaste de idea? Responde SI.",
    "host_covered_by_other": "Otra persona facilita {meeting}, {when}: no tienes que hacer nada. ¡Gracias!",
    "host_cover_taken": "¡Gracias! Facilitas {meeting}, {when}. Avisaremos al resto de quienes facilitan y a quien coordina tu grupo.",
    "host_cover_already_yours": "Facilitas {meeting}, {when}. ¡Gracias! Si al final no puedes, avisa a quien coordina tu grupo.",
    "host_cover_not_needed": "¡Gracias por ofrecerte! Ya hay quien facilite {meeting}, {when}: no hace falta nada.",
    "host_cover_no": "No hay problema, gracias por avisar.",
    "host_cancelled": "Se cancela {meeting}, {when}, por eso no hay nada que facilitar. ¡Gracias!",
    "host_meeting_gone": "Ya no la tenemos en el calendario, por eso no hay nada que responder. ¡Gracias!",
    "host_exercise_saved": "¡Gracias! Anotamos tu ejercicio para {meeting}, {when}. Escribe EJERCICIO otra vez para cambiarlo.",
    "host_exercise_empty": "Escribe EJERCICIO y unas palabras sobre lo que vas a hacer, por ejemplo: EJERCICIO leemos un texto corto y luego conversamos.",
    "host_exercise_too_long": "Es un poco largo para un mensaje. Deja el ejercicio en menos de {max} caracteres (el tuyo tiene {n}).",
    "host_exercise_none": "No vemos que te toque facilitar pronto. Quien coordina tu grupo puede ponerte en la lista.",
    # hosts: sent by the workers
    "host_ask": "Harm Reduction Works-HRW: ¡hola! Te toca facilitar {meeting}, {when}. ¿Puedes? Responde SI o NO.",
    "host_ask_again": "Harm Reduction Works-HRW: ¡hola de nuevo! ¿Sigue en pie que facilites {meeting}, {when}? Responde SI o NO, para tener tiempo de buscar a alguien si hace falta.",
    "host_reminder": "Harm Reduction Works-HRW: gracias por facilitar {meeting}, {when}. Si surge algo, responde NO y buscamos a alguien.",
    "host_reminder_cover": "Harm Reduction Works-HRW: gracias por cubrir el turno y facilitar {meeting}, {when}. ¡Nos vemos!",
    "host_exercise_line": "Tu ejercicio: {exercise}",
    "host_exercise_invite": "¿Ya elegiste el ejercicio? Escribe EJERCICIO y unas palabras (una lectura, un podcast, una pregunta) para anotarlo.",
    "host_cover_ask": "Harm Reduction Works-HRW: falta quien facilite {meeting}, {when}. ¿Puedes hacerlo? Responde SI para tomar el turno, o NO. ¡Gracias!",
    "host_covered_notice": "Harm Reduction Works-HRW: ¡gracias! Ya hay quien facilite {meeting}, {when}, no hace falta responder.",
    "host_cancelled_notice": "Harm Reduction Works-HRW: se cancela {meeting}, {when}, por eso no hace falta facilitar. ¡Gracias!",
    "coord_host_declined": "Harm Reduction Works-HRW: {host} no puede facilitar {meeting}, {when}.",
    "coord_host_no_answer": "Harm Reduction Works-HRW: {host} no ha contestado si puede facilitar {meeting}, {when}.",
    "coord_asking_others": "Estamos preguntando al resto de quienes facilitan en el grupo.",
    "coord_no_other_hosts": "No hay otra persona que facilite en el grupo: hace falta buscar a alguien.",
    "coord_host_covered": "Harm Reduction Works-HRW: buenas noticias, {host} facilita {meeting}, {when}.",
    "coord_host_back": "Harm Reduction Works-HRW: buenas noticias, al final {host} facilita {meeting}, {when}.",
    "broadcast_how": "Escribe tu mensaje después de la palabra, por ejemplo: BROADCAST Hoy nos vemos en la sala 3.",
    "broadcast_which": "Elige el grupo: responde 1, 2, 3...\n{choices}",
    "broadcast_which_again": "Responde del 1 al {count} para elegir el grupo, o NO para descartar el aviso.",
    "broadcast_preview": "Esto llega a {count} personas suscritas a {group}. Responde SI para enviarlo o NO para descartarlo. El texto:",
    "broadcast_sending": "Enviando a {count} personas. Escribe STATUS para ver el avance.",
    "broadcast_expired": "No enviamos ese aviso: pasaron 10 minutos sin tu SI. Escribe BROADCAST otra vez si sigues queriendo mandarlo.",
    "broadcast_dropped": "Listo, no lo enviamos.",
    "broadcast_nobody": "Por ahora nadie recibe los avisos de {group} (para recibirlos, hay que escribir RECORDAR para una de las reuniones del grupo). No enviamos nada.",
    "cancel_how": "Escribe REUNIONES y luego CANCEL y el 1, 2, 3... de la lista, por ejemplo CANCEL 2. Para otra fecha: CANCEL 2 2026-12-01.",
    "cancel_not_yours": "No coordinas ese grupo: cancelar le toca a quien lo coordina.",
    "cancel_preview": "¿Cancelar {meeting}, {when}? Avisaremos a {count} personas suscritas, y a quien facilita si hay alguien en la lista. Responde SI para cancelar o NO para dejarlo igual.",
    "cancel_done": "Listo, se cancela. Estamos avisando a {count} personas.",
    "cancel_kept": "Listo, se mantiene.",
    "cancel_expired": "No cancelamos nada: pasaron 10 minutos sin tu SI. Escribe CANCEL otra vez si hace falta.",
    "cancel_already": "Ya cancelamos {meeting}, {when}. No hace falta hacer nada.",
    "cancel_bad_date": "{meeting} no tiene encuentro en esa fecha. Escribe una fecha que venga, en formato AAAA-MM-DD, por ejemplo CANCEL 2 2026-12-01.",
    "status_none": "Hace al menos una semana que tus grupos no mandan avisos.",
    "status": "Aviso reciente a {group}: {total} en total. En espera {queued}, enviados {sent}, entregados {delivered}, fallidos {failed}.",
    "months": "ene feb mar abr may jun jul ago sep oct nov dic",
    "date": "{weekday} {day} {month_name}",
    "choices_two": "{first} o {last}",
    "choices_two_u": "{first} u {last}",
    "choices_range": "del {first} al {last}",
    "next_step": "Escribe REUNIONES para ver horarios cerca de ti.",
    # added by words: answers the line gives itself
    "optout_confirm": "Listo: dejamos de enviarte mensajes de Harm Reduction Works-HRW. Para volver a recibirlos, escribe START.",
    "forget_kept": "Listo, no borramos nada. Escribe MENU para ver las opciones.",
    # loops and floods (hrw_sms/handlers/throttle.py)
    "throttled": "Vamos a pausar las respuestas un rato: nos llegaron muchos mensajes seguidos de este teléfono. Escribe AYUDA o STOP cuando quieras.",
    "channel_only": "Harm Reduction Works-HRW solo funciona por mensaje de texto normal (SMS). Escribe REUNIONES por SMS desde la app de mensajes de tu teléfono.",
    "feed_failing": "Harm Reduction Works-HRW: aviso, la lista de reuniones de {feed} ya no se actualiza ({reason}). Seguimos mostrando las reuniones de antes. Te escribimos cuando vuelva.",
    "feed_recovered": "Harm Reduction Works-HRW: buenas noticias, la lista de reuniones de {feed} se actualiza otra vez y ya mostramos lo que publica.",
    # one of a count: text() picks "<key>_one" when count is 1
    "no_such_number_one": "Tu lista solo tiene el {count}: no tiene el {n}. Responde {count}, o escribe REUNIONES.",
    "broadcast_which_again_one": "Responde {count} para elegir el grupo, o NO para descartar el aviso.",
    "broadcast_preview_one": "Esto llega a {count} persona suscrita a {group}. Responde SI para enviarlo o NO para descartarlo. El texto:",
    "broadcast_sending_one": "Enviando a {count} persona. Escribe STATUS para ver el avance.",
    "cancel_preview_one": "¿Cancelar {meeting}, {when}? Avisaremos a {count} persona suscrita, y a quien facilita si hay alguien en la lista. Responde SI para cancelar o NO para dejarlo igual.",
    "cancel_done_one": "Listo, se cancela. Estamos avisando a {count} persona.",
    "heading_tonight": "Esta noche:",
    "what_tonight": " para esta noche",
    # FORGET, for a number with a role (host, coordinator)
    "forget_confirm_roles": (
        "Esto borra todo lo que guardamos sobre ti (idioma, recordatorios) y tu lugar entre "
        "quienes facilitan o coordinan: para volver, te tienen que agregar otra vez. Responde "
        "SI para borrarlo, o cualquier otra cosa para conservarlo."
    ),
    # the console (hrw_sms/web/console): the code is the only 6-digit number in the text
    "console_code": "Tu clave para entrar a la consola de Harm Reduction Works-HRW es {code}. Sirve por 10 minutos. Si no la pediste, ignora este mensaje.",
    # the peer line (flows/peer.py, hrw_sms/handlers/peer.py)
    "peer_safety": "Esto es apoyo entre pares, no un servicio de emergencias. En una emergencia llama al 911. Para la ayuda en crisis, llama o escribe al 988.",
    "peer_safety_local": "Ayuda local: {line}.",
    "peer_asked": "Estamos buscando a un par para hablar contigo. Te escribimos cuando llegue; escribe LISTO para dejar de buscar. {safety}",
    "peer_offer": "Pares de HRW: alguien quiere hablar (#{code}). Responde TOMAR para tomarlo. Nadie ve el telefono de nadie.",
    "peer_taken_other": "¡Gracias! Otra persona ya tiene #{code}.",
    "peer_nothing_to_take": "Nadie espera para hablar ahora. Gracias por estar.",
    "peer_connected_person": "Ya hay un par contigo. Lo que escribas le llega; escribe LISTO para terminar. {safety}",
    "peer_connected_volunteer": "Conectado (#{code}). Tus mensajes le llegan desde este servicio, sin tu telefono. Escribe LISTO para terminar.",
    "peer_none": "No hay un par libre ahora. El siguiente turno empieza {when}. Escribe HABLAR entonces. {safety}",
    "peer_none_ever": "No hay un par de turno ahora. {safety}",
    "peer_waiting": "Seguimos buscando a un par para ti. Escribe LISTO para dejar de buscar. {safety}",
    "peer_nobody_took": "Lo sentimos, ahora nadie pudo tomarlo. Escribe HABLAR para intentar otra vez. {safety}",
    "peer_cancelled": "Bien, dejamos de buscar. Escribe HABLAR cuando quieras. {safety}",
    "peer_done": "Se cierra la charla. Escribe HABLAR cuando quieras hablar otra vez. {safety}",
    "peer_done_volunteer": "Se cierra la charla #{code}. Gracias.",
    "peer_idle": "Se cierra la charla tras una hora sin mensajes. Escribe HABLAR cuando quieras. {safety}",
    "peer_pick": "Tienes {count} charlas abiertas: empieza tu mensaje con la clave de la charla, como #{code} y luego tus palabras.",
    "peer_limit": "Pediste un par varias veces seguidas. Espera un poco y escribe HABLAR otra vez. {safety}",
    "help_peer": "Para hablar ahora con un par, escribe HABLAR. No es un servicio de emergencias: en una emergencia llama al 911, o llama o escribe al 988.",
    "miles_about": "unas {miles} mi",
    "peer_connected_more": "Conectado (#{code}). Ahora tienes {n} charlas: empieza cada mensaje con la clave de la charla, como #{code} y luego tus palabras. Escribe LISTO #{code} para terminar esta.",
    "host_cleared_notice": "Harm Reduction Works-HRW: quien coordina tu grupo cambio los turnos, asi que no hace falta que facilites {meeting}, {when}. ¡Gracias!",
    "broadcast_too_long_one": "Ese aviso ocupa {length} caracteres{double}, {segments} mensajes. Caben 3 mensajes como mucho ({limit} caracteres con el nombre del grupo y la frase de STOP): recorta 1 letra o signo.",
    "broadcast_counts_double": " (contando {chars} como 2 cada uno)",
    "broadcast_all_dropped": "Ese aviso no tiene nada que se pueda enviar: los SMS no llevan emojis ni algunos otros signos, se quitan al enviar. Usa palabras, por favor.",
    "broadcast_most_dropped": "Ese aviso pierde casi todo al enviarlo: los SMS no llevan emojis ni algunos otros signos, se quitan al enviar. Usa palabras, por favor.",
    "coord_cover_left": "Harm Reduction Works-HRW: quien iba a cubrir {meeting}, {when} ya no puede.",
}
