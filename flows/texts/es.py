"""Spanish texts. Accents are kept here (voice reads them); SMS folds á í ó ú to save cost."""

TEXTS: dict[str, str] = {
    "program": "Harm Reduction Works-HRW",
    "menu": (
        "Harm Reduction Works-HRW: reuniones entre pares, sin registrarte.\n"
        "Envía REUNIONES para ver horarios (o REUNIONES HOY, EN LINEA, o un código postal)\n"
        "BIENVENIDA para leer la bienvenida\n"
        "ACUERDOS para los acuerdos de la comunidad\n"
        "AYUDA para ayuda. ENGLISH for English."
    ),
    "not_understood": "Perdón, no entendimos.",
    "help": (
        "Línea de reuniones de Harm Reduction Works-HRW. Envía REUNIONES, BIENVENIDA, ACUERDOS "
        "o MENU. Para hablar con una persona, {contact}. Envía OLVIDAR para borrar tu número, "
        "STOP para no recibir más. Pueden aplicar tarifas."
    ),
    "default_contact": "habla con quien coordina cualquier reunión",
    "opted_in": (
        "Qué bueno tenerte de vuelta en Harm Reduction Works-HRW. Envía MENU para ver qué ofrece esta "
        "línea. Envía STOP cuando quieras dejar de recibir mensajes."
    ),
    "opt_out_hint": "Para no recibir más mensajes de este número, responde solo con la palabra STOP.",
    "nothing_pending": "No hay nada esperando un sí ahora mismo.",
    "language_set": "Listo, te escribiremos en español.",
    "forget_confirm": (
        "Esto borra todo lo que guardamos de tu número (idioma, recordatorios). "
        "Responde SI para borrarlo, o cualquier otra cosa para conservarlo."
    ),
    "forget_done": "Listo: borramos lo que guardábamos de tu número. Puedes volver cuando quieras.",
    "heading_soonest": "Próximas reuniones:",
    "heading_soonest_more": "Más reuniones:",
    "heading_today": "Hoy:",
    "heading_tomorrow": "Mañana:",
    "heading_online": "Reuniones en línea:",
    "heading_near": "Cerca de {place}:",
    "footer_more": "Responde con un número para detalles, MAS para ver más.",
    "footer_end": "Responde con un número para detalles.",
    "no_more": "Esa es toda la lista de esta semana. Envía REUNIONES EN LINEA o MENU.",
    "no_results": (
        "No encontramos reuniones{what}. Las reuniones en línea están abiertas a todo el mundo: envía "
        "REUNIONES EN LINEA. O envía MENU."
    ),
    "no_results_online": (
        "No encontramos reuniones en línea{what} esta semana. Envía REUNIONES para ver todas, o MENU."
    ),
    "what_today": " para hoy",
    "what_tomorrow": " para mañana",
    "what_near": " a menos de 60 millas de {place}",
    "place_unknown": (
        "No encontramos {place}. Prueba un código postal de 5 cifras (REUNIONES 01060) o envía "
        "REUNIONES EN LINEA."
    ),
    "no_list": "Primero envía REUNIONES y luego responde con un número de la lista.",
    "no_such_number": "No hay número {n} en tu lista (1-{count}). Responde con un número de ella, o REUNIONES.",
    "meeting_gone": "Esa reunión ya no aparece. Envía REUNIONES para ver la lista actual.",
    "today": "Hoy",
    "tomorrow": "Mañana",
    "days": "dom lun mar mié jue vie sáb",
    "online": "en línea",
    "miles": "{miles} mi",
    "started": "Empezó",
    "cancelled": "CANCELADA",
    "reminder_mark": "*",
    "remind_confirm": (
        "Harm Reduction Works-HRW: recibirás un mensaje {lead} antes de {meeting} ({when}), y "
        "avisos y cancelaciones de {group}. Aproximadamente {count} por semana. Responde NORECORDAR para "
        "terminarlos, AYUDA para ayuda, STOP para no recibir más. Pueden aplicar tarifas."
    ),
    "texts_one": "1 mensaje",
    "texts_many": "{n} mensajes",
    "lead_minutes": "{n} min",
    "lead_hour": "1 hora",
    "lead_hours": "{n} horas",
    "remind_which": "Responde RECORDAR y un número de tu lista, como RECORDAR 1. Envía REUNIONES para ver la lista.",
    "noremind_all": "Listo, tus recordatorios y avisos del grupo están apagados. Envía REUNIONES cuando quieras.",
    "noremind_one": "Listo, no más recordatorios de {meeting}.",
    "noremind_none": "No tienes recordatorios. Envía REUNIONES y luego RECORDAR y un número de la lista.",
    "noremind_which": "Responde NORECORDAR y el número de una reunión de la que recibes recordatorios, o solo NORECORDAR para terminarlos todos.",
    "reminder_legend": "* = recibes recordatorios",
    "details_footer_remind": "Envía RECORDAR {n} para recordatorios, BIENVENIDA o ACUERDOS de este grupo, o MENU.",
    "kind_open": "Reunión abierta: es para cualquier persona con curiosidad por la reducción de daños.",
    "kind_focused": (
        "Reunión enfocada: para quienes usan o beben ahora, lo hicieron antes o lo están pensando."
    ),
    "kind_open_short": "Reunión abierta.",
    "kind_focused_short": "Reunión enfocada.",
    "details_cancelled": "Esta reunión está CANCELADA.",
    "details_join": "Entra: {url}",
    "details_dial": "Por teléfono: {phone}",
    "details_footer": "Envía BIENVENIDA o ACUERDOS de este grupo, o MENU.",
    "welcome_general": (
        "Te damos la bienvenida a Harm Reduction Works-HRW: reuniones entre pares basadas en la reducción de "
        "daños. Las abiertas son para cualquier persona con curiosidad. Las enfocadas son para "
        "quienes usan o beben ahora, lo hicieron antes o lo están pensando. La abstinencia "
        "también es reducción de daños. Envía REUNIONES para encontrar una."
    ),
    "welcome_open": (
        "Te damos la bienvenida a Harm Reduction Works-HRW. Esta es una reunión abierta: aquí cabe cualquier "
        "persona con curiosidad por la reducción de daños, sea cual sea su historia con el uso o "
        "la bebida. Comparte tanto o tan poco como quieras. Empezamos con un ejercicio corto y "
        "luego conversamos."
    ),
    "welcome_focused": (
        "Te damos la bienvenida a Harm Reduction Works-HRW. Esta es una reunión enfocada, para quienes usan o "
        "beben ahora, lo hicieron antes o lo están pensando. Nadie aquí decide tus metas por ti. "
        "Comparte tanto o tan poco como quieras. Primero un ejercicio corto, luego conversamos."
    ),
    "agreements_general": (
        "Nuestros acuerdos: Trata a cada persona con respeto. Lo que se comparte aquí, aquí se queda. "
        "Habla por ti y deja terminar a los demás. No juzgamos las decisiones de nadie. Cuida "
        "los límites y pregunta antes de tocar. Cuídate y cuida a los demás."
    ),
    "group_says": "{group}:",
    "fallback": (
        "Perdón, nuestra línea tiene problemas ahora. Inténtalo pronto: envía REUNIONES, "
        "BIENVENIDA, ACUERDOS o AYUDA. Para hablar con una persona, {contact}."
    ),
    "reminder": "Recordatorio de Harm Reduction Works-HRW: {meeting}, {when}.\n{where}\nResponde NORECORDAR para no recibir más recordatorios.",
    "cancelled_notice": "Harm Reduction Works-HRW: {meeting} del {when} está cancelada. Envía REUNIONES para ver otras. Responde NORECORDAR para no recibir más recordatorios.",
    # broadcasts
    "broadcast": "{group}: {text}\nResponde STOP para no recibir más.",
    "broadcast_too_long": "Ese aviso tendría {length} caracteres, {segments} mensajes. El límite es 3 mensajes ({limit} caracteres con el nombre del grupo y la línea de STOP): recorta unos {cut} caracteres.",
    # hosts: answers by text
    "host_confirmed": "¡Gracias! Facilitas {meeting}, {when}. Te enviaremos un recordatorio antes. Si surge algo, responde NO.",
    "host_confirmed_back": "¡Gracias! Al final facilitas {meeting}, {when}. Avisaremos a las demás personas facilitadoras y a tu coordinación.",
    "host_already_confirmed": "Ya está: facilitas {meeting}, {when}. ¡Gracias! Si surge algo, responde NO.",
    "host_declined": "Gracias por avisar. Pediremos a las demás personas facilitadoras del grupo que cubran {meeting}, {when}, y avisaremos a tu coordinación. ¿Cambiaste de idea? Responde SI.",
    "host_already_declined": "Entendido, no facilitas {meeting}, {when}. Estamos preguntando a las demás personas facilitadoras. ¿Cambiaste de idea? Responde SI.",
    "host_covered_by_other": "Otra persona cubre {meeting}, {when}, así que no tienes que hacer nada. ¡Gracias!",
    "host_cover_taken": "¡Gracias! Facilitas {meeting}, {when}. Avisaremos a las demás personas facilitadoras y a tu coordinación.",
    "host_cover_already_yours": "Facilitas {meeting}, {when}. ¡Gracias! Si al final no puedes, avisa a tu coordinación.",
    "host_cover_not_needed": "¡Gracias por ofrecerte! {meeting}, {when} ya está cubierta, no hace falta nada más.",
    "host_cover_no": "No hay problema, gracias por avisar.",
    "host_cancelled": "{meeting}, {when}, está cancelada, así que no hay nada que facilitar. ¡Gracias!",
    "host_meeting_gone": "Esa reunión ya no está en el calendario, así que no hay nada que responder. ¡Gracias!",
    "host_exercise_saved": "¡Gracias! Anotamos tu ejercicio para {meeting}, {when}. Envía EJERCICIO otra vez para cambiarlo.",
    "host_exercise_empty": "Envía EJERCICIO y unas palabras sobre él, por ejemplo: EJERCICIO una lectura corta sobre reducción de daños y luego conversamos.",
    "host_exercise_too_long": "Es un poco largo para un mensaje. Deja el ejercicio en menos de {max} caracteres (el tuyo tiene {n}).",
    "host_exercise_none": "No vemos ninguna reunión que te toque facilitar pronto. Tu coordinación puede ponerte en la lista.",
    # hosts: sent by the workers
    "host_ask": "Harm Reduction Works-HRW: ¡hola! Estás en la lista para facilitar {meeting}, {when}. ¿Puedes? Responde SI o NO.",
    "host_ask_again": "Harm Reduction Works-HRW: ¡hola de nuevo! ¿Todavía puedes facilitar {meeting}, {when}? Responde SI o NO, así hay tiempo de buscar a alguien si hace falta.",
    "host_reminder": "Harm Reduction Works-HRW: gracias por facilitar {meeting}, {when}. Si surge algo, responde NO y buscamos a alguien.",
    "host_reminder_cover": "Harm Reduction Works-HRW: gracias por cubrir {meeting}, {when}. ¡Nos vemos ahí!",
    "host_exercise_line": "Tu ejercicio: {exercise}",
    "host_exercise_invite": "¿Ya elegiste el ejercicio? Envía EJERCICIO y unas palabras (una lectura, un podcast, una pregunta) para anotarlo.",
    "host_cover_ask": "Harm Reduction Works-HRW: {meeting}, {when} necesita quien la facilite. ¿Puedes cubrirla? Responde SI para tomarla, o NO. ¡Gracias!",
    "host_covered_notice": "Harm Reduction Works-HRW: ¡gracias! {meeting}, {when} ya está cubierta, no hace falta responder.",
    "host_cancelled_notice": "Harm Reduction Works-HRW: {meeting}, {when}, está cancelada, así que no hace falta facilitarla. ¡Gracias!",
    "coord_host_declined": "Harm Reduction Works-HRW: {host} no puede facilitar {meeting}, {when}.",
    "coord_host_no_answer": "Harm Reduction Works-HRW: {host} no respondió si puede facilitar {meeting}, {when}.",
    "coord_asking_others": "Estamos preguntando a las demás personas facilitadoras del grupo.",
    "coord_no_other_hosts": "No hay otra persona facilitadora en el grupo a quien preguntar: hace falta buscar a alguien.",
    "coord_host_covered": "Harm Reduction Works-HRW: buenas noticias, {host} cubre {meeting}, {when}.",
    "coord_host_back": "Harm Reduction Works-HRW: buenas noticias, al final {host} facilita {meeting}, {when}.",
    "broadcast_how": "Escribe tu mensaje después de la palabra, así: BROADCAST Hoy nos vemos en la sala 3.",
    "broadcast_which": "¿Para qué grupo es? Responde con su número:\n{choices}",
    "broadcast_which_again": "Responde con un número del 1 al {count} para elegir el grupo, o NO para descartar el aviso.",
    "broadcast_preview": "Esto llega a {count} personas suscritas a {group}. Responde SI para enviarlo o NO para descartarlo. Dirá:",
    "broadcast_sending": "Enviando a {count} personas. Envía STATUS para ver cómo va.",
    "broadcast_expired": "Ese aviso no se envió: el SI llegó más de 10 minutos después. Envía BROADCAST otra vez si aún quieres mandarlo.",
    "broadcast_dropped": "Listo, no se envió.",
    "broadcast_nobody": "Nadie recibe aún los avisos de {group} (se suscriben con RECORDAR para una de sus reuniones). No se envió nada.",
    "cancel_how": "Envía REUNIONES y luego CANCEL con el número de la lista, así: CANCEL 2. Para otra fecha: CANCEL 2 2026-12-01.",
    "cancel_not_yours": "Esa reunión es de un grupo que no coordinas, así que no se puede cancelar desde aquí.",
    "cancel_preview": "¿Cancelar {meeting} el {when}? Se avisará a {count} personas suscritas y a quien la coordine si hay alguien asignado. Responde SI para cancelarla o NO para mantenerla.",
    "cancel_done": "Cancelada. Estamos avisando a {count} personas.",
    "cancel_kept": "Listo, se mantiene.",
    "cancel_expired": "No se canceló nada: el SI llegó más de 10 minutos después. Envía CANCEL otra vez si hace falta.",
    "cancel_already": "{meeting} el {when} ya está cancelada.",
    "cancel_bad_date": "{meeting} no se reúne en esa fecha. Escribe una fecha próxima como AAAA-MM-DD, así: CANCEL 2 2026-12-01.",
    "status_none": "No hubo avisos de tus grupos en la última semana.",
    "status": "Último aviso a {group}: {total} en total. En espera {queued}, enviados {sent}, entregados {delivered}, fallidos {failed}.",
    "feed_failing": "Aviso: la lista de reuniones de {feed} ya no se actualiza ({reason}). Seguimos mostrando las reuniones de antes. Te escribimos cuando vuelva.",
    "feed_recovered": "Buenas noticias: la lista de reuniones de {feed} se actualiza otra vez y ya mostramos lo que publica.",
}
