// Los mensajes en español, para estudiantes de España y de Latinoamérica: tú, frases
// cortas, y los términos técnicos de siempre (host, VIP, DRBD, sudo, handler) tal cual.
// Mismas claves y parámetros que en.ts.
import type { Catalogue } from './en.js'

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many)

export const es: Catalogue = {
  'run.hosts': (p) => `hosts: ${p.hosts}`,
  'run.checkMode': 'MODO COMPROBACIÓN (no se cambia nada).',
  'run.checkModeShort': 'modo comprobación',
  'run.play': (p) => `PLAY ${p.play}`,
  'run.playDone': (p) => `PLAY ${p.play} terminado`,
  'status.ok': 'ok',
  'status.changed': 'cambiado',
  'status.skipped': 'omitido',
  'status.failed': 'falló',
  'status.unreachable': 'inalcanzable',
  'task.handler': 'handler',
  'task.warning': (p) => `aviso: ${p.warning}`,
  'task.notRun': (p) => `no ejecutada: ${p.host} ${p.status}`,

  'run.hostless': (p) =>
    `(${p.count} ${plural(p.count, 'play', 'plays')} sin ningún host en esta ejecución: ${p.plays})`,

  'recap.title': (p) => `RESUMEN (${p.seconds} s)`,
  'recap.counts': (p) =>
    `ok=${p.ok} cambiados=${p.changed} fallidos=${p.failed} omitidos=${p.skipped} inalcanzables=${p.unreachable}`,
  'recap.note': (p) => `nota: ${p.note}`,
  'recap.summary': (p) =>
    `${p.hosts} ${plural(p.hosts, 'host', 'hosts')}: ${p.unchanged} sin cambios, ${p.changed} con cambios, ` +
    `${p.failed} con fallos, ${p.unreachable} ${plural(p.unreachable, 'inalcanzable', 'inalcanzables')}`,
  'recap.nextFailed': (p) =>
    `una tarea falló en ${p.hosts}: lee su error más arriba (tarea, comando, código de salida, salida), ` +
    'corrige la causa y vuelve a ejecutar; lo que ya está bien no se vuelve a hacer',
  'recap.nextUnreachable': (p) =>
    `no se pudo conectar con ${p.hosts}: comprueba que está encendido y que SSH responde ` +
    '(en el lab local: run-playbook lab status) y vuelve a ejecutar',

  'verify.title': (p) => `VERIFICACIÓN ${p.title}`,
  'verify.check': 'comprobación',
  'verify.result': 'resultado',
  'verify.time': 'tiempo',
  'verify.detail': 'detalle',
  'verify.pass': 'correcto',
  'verify.fail': 'FALLO',
  'verify.notRun': 'no ejecutado',
  'verify.summary': (p) =>
    `comprobaciones: ${p.pass} ${plural(p.pass, 'correcta', 'correctas')}, ` +
    `${p.fail} ${plural(p.fail, 'fallida', 'fallidas')}, ${p.notRun} sin ejecutar`,
  'verify.suiteChecks': (p) => `comprobaciones de ${p.title}`,
  'verify.nothing': (p) =>
    `nada que verificar: ningún rol con comprobaciones en vivo (${p.roles}) se ejecuta en ${p.inventory}`,
  'verify.loadInvalid': (p) => `--load: "${p.value}" no es un número de segundos entre 1 y 600`,
  'verify.loadNoPair': (p) =>
    '--load: mide a través de la VIP de un par LVS-NAT con Pacemaker (inventory/6-node), ' +
    `y ningún host de ${p.inventory} lo tiene: no se mide la carga`,
  'verify.roleNotOnHost': (p) => `${p.role} no se ejecuta en ${p.host}`,

  'error.invalidInput': (p) =>
    `entrada no válida (${p.count} ${plural(p.count, 'problema', 'problemas')}), no se ha ejecutado nada:`,
  'error.fixProblems': 'corrige los problemas de la lista y vuelve a ejecutar',
  'error.whereHost': (p) => `host ${p.host}`,
  'error.whereHosts': (p) => `hosts ${p.hosts}`,
  'error.whereField': (p) => `campo ${p.field}`,
  'error.unreachable': (p) => `${p.host}: inalcanzable: ${p.message}`,
  'error.connectionLostHint':
    'revisa el host (en el lab: run-playbook lab status) y vuelve a ejecutar: se completa lo que falte',
  'error.command': 'comando',
  'error.exitCode': 'código de salida',
  'error.noExitCode': 'ninguno (canal cerrado)',
  'error.output': 'salida',
  'error.exit127': 'comando no encontrado',
  'error.exit126': 'no es ejecutable',
  'error.exit124': 'detenido al agotar su tiempo límite',
  'error.commandFailed': (p) => `falló un comando en ${p.host}`,
  'error.nextNotInstalled': (p) =>
    `el comando no está instalado en ${p.host}: añade su paquete en una tarea anterior (o en base_packages) ` +
    'y vuelve a ejecutar',
  'error.nextConnectionLost': (p) =>
    `se perdió la conexión con ${p.host}: revisa el host (en el lab: run-playbook lab status) y vuelve a ejecutar`,
  'error.nextFix': (p) =>
    `corrige en ${p.host} la causa que se muestra arriba y vuelve a ejecutar ` +
    `(--limit ${p.host} repite solo este host; --check muestra qué cambiaría)`,

  'ssh.noAnswer': (p) => `${p.address} no responde en ${p.seconds} s`,
  'ssh.noAnswerHint':
    'comprueba que el host está encendido y que la dirección y el puerto del inventario son correctos ' +
    '(en el lab local: run-playbook lab status)',
  'ssh.cannotConnect': (p) => `no se puede conectar a ${p.address}: ${p.reason}`,
  'ssh.cannotConnectHint':
    'comprueba que el host está encendido, que sshd está en marcha y que la dirección y el puerto del inventario ' +
    'son correctos',
  'ssh.sudoHint': (p) =>
    `da a ${p.user} sudo sin contraseña (NOPASSWD) en ${p.host}, define ansible_become_password en .env, ` +
    'o conéctate como root',
  'ssh.becomePasswordHint': (p) => `revisa ansible_become_password de ${p.host} (y que ${p.user} pueda usar sudo)`,
  'ssh.revoked': (p) => `la clave de host ${p.fingerprint} está marcada como @revoked en ${p.where}`,
  'ssh.revokedHint': 'no te conectes a este host hasta que se sustituya su clave',
  'ssh.keyChanged': (p) =>
    `LA CLAVE DE HOST DE ${p.name} HA CAMBIADO: ahora presenta ${p.key}, pero ${p.where} tiene otra. ` +
    'Puede ser un ataque, o un host reinstalado.',
  'ssh.keyChangedHint': (p) =>
    `si el host se reinstaló de verdad, borra la entrada antigua (${p.command}) y vuelve a ejecutar ` +
    'con --accept-new-hosts',
  'ssh.or': 'o',
  'ssh.unknownKey': (p) => `clave de host desconocida para ${p.name}: ${p.key} (no está en ${p.files})`,
  'ssh.unknownKeyHint': (p) =>
    `comprueba la huella en el host (${p.command}) y vuelve a ejecutar con --accept-new-hosts ` +
    `para guardarla en ${p.knownHosts}`,
  'ssh.readKey': (p) => `no se puede leer la clave privada ${p.path}: ${p.reason}`,
  'ssh.readKeyHint': 'corrige ansible_ssh_private_key_file en el inventario (o IdentityFile en ~/.ssh/config)',
  'ssh.noKey':
    'no hay clave SSH ni contraseña: ni ansible_ssh_private_key_file, ni IdentityFile, ni ~/.ssh/id_*, ' +
    'ni ssh-agent, ni ansible_password',
  'ssh.noKeyHint':
    'define ansible_ssh_private_key_file para este host, arranca ssh-agent con tu clave ' +
    'o da ansible_password desde .env',
  'ssh.defaultKeys': 'claves por defecto/agente',
  'ssh.keyRefused': (p) =>
    `${p.target} rechazó nuestra ${p.password ? 'clave y contraseña (ansible_password)' : 'clave'} (${p.keys})`,
  'ssh.keyRefusedHint': (p) =>
    `revisa ansible_user, ansible_ssh_private_key_file${p.password ? ' y ansible_password' : ''} de ${p.host}, ` +
    `y que la clave pública esté en el authorized_keys de ${p.user}`,
  'ssh.throughJump': (p) => `a través del host de salto ${p.jump}: ${p.detail}`,
  'ssh.jumpHint': (p) =>
    `revisa User/IdentityFile de Host ${p.jump} en ~/.ssh/config, o el valor de -J` +
    `${p.password ? ', y ansible_password' : ''}; el host de salto debe tener tu clave pública en authorized_keys`,
  'ssh.jumpClosed': (p) => `la conexión con el host de salto ${p.jump} se cerró (${p.detail})`,
  'ssh.jumpClosedHint': (p) => `comprueba que ${p.jump} está encendido (el siguiente host vuelve a conectarse a él)`,
  'ssh.otherPrompt': (p) => `el servidor preguntó '${p.prompt}', y halab no puede responder a eso`,
  'ssh.otherPromptHint':
    'halab solo responde con ansible_password a las peticiones de contraseña: entra con una clave ' +
    '(ansible_ssh_private_key_file), o permite que este usuario entre solo con la contraseña',
  'ssh.handshakeTimeout': (p) => `se agotó el tiempo de la negociación SSH con ${p.address}`,
  'ssh.handshakeTimeoutHint': '¿responde sshd en ese puerto? (ssh -v puede dar más detalles)',

  'input.notHostOrGroup': (p) =>
    `"${p.name}" no es un host ni un grupo del inventario ${p.inventory} (sus grupos: ${p.groups})`,
  'input.matchesNoHost': (p) =>
    `"${p.pattern}" no coincide con ningún host del inventario ${p.inventory} (sus grupos: ${p.groups})`,
  'input.roleNotInPlaybook': (p) => `el rol "${p.role}" no está en este playbook (tiene: ${p.roles})`,
  'input.noPlaybook': (p) => `no existe el playbook "${p.name}" (los playbooks son playbooks/<nombre>.ts)`,
  'input.noInventory': 'no existe ese inventario (indica con -i un directorio con hosts.yml, o el propio archivo)',
  'input.noInventoryFile': (p) => `no hay archivo de inventario en este directorio (se buscó ${p.files})`,
  'input.envOpen': (p) =>
    `contiene secretos pero el grupo u otros pueden leerlo (modo ${p.mode}): ejecuta chmod 600 ${p.file}`,
  'input.envUnset': (p) =>
    `\${${p.name}} no está definida: añade ${p.name}=... al .env junto al inventario (mira .env.example) ` +
    'o expórtala',

  'labSite.nothingStarted': 'no se ha arrancado nada',
  'labSite.upFailed': 'lab up falló y apagó lo que había arrancado',
  'labSite.failedKept': (p) =>
    `${p.phase} falló (salida ${p.code}); el lab sigue en marcha: míralo con lab ssh HOST y quítalo con lab down`,
  'labSite.failedDown': (p) =>
    `${p.phase} falló (salida ${p.code}): se apaga el lab que se creó (con --keep se queda en marcha para mirarlo)`,
  'labSite.down': 'el lab está apagado: no queda nada en marcha',
  'labSite.running': (p) =>
    `En marcha: ${p.hosts} (${p.inventory}), configurado y verificado. ` +
    `Para explorarlo: sudo npx run-playbook lab ssh ${p.first} · sudo npx run-playbook verify -i ${p.inventory} · ` +
    'sudo npx run-playbook lab down',

  'select.noTag': (p) => `ninguna tarea de esta ejecución tiene la etiqueta "${p.tag}" (sus etiquetas: ${p.tags})`,
  'select.noTagMatches': (p) =>
    `ninguna etiqueta de esta ejecución coincide con "${p.pattern}" (sus etiquetas: ${p.tags})`,
  'select.untagged': (p) =>
    `ninguna tarea de esta ejecución es "${p.tag}": todas llevan como etiqueta el nombre de su rol`,
  'select.noStartTask': (p) =>
    `ninguna tarea de esta ejecución se llama "${p.name}" (--list-tasks muestra sus nombres)`,

  'list.playbook': (p) => `playbook: ${p.playbook}`,
  'list.play': (p) => `PLAY #${p.number} ${p.play} (hosts: ${p.pattern})`,
  'list.hostCount': (p) => `${p.count} ${plural(p.count, 'host', 'hosts')}`,
  'list.hostsOf': (p) => `hosts ${p.hosts}:`,
  'list.tags': (p) => `ETIQUETAS: [${p.tags}]`,
  'list.taskTags': (p) => `ETIQUETAS DE SUS TAREAS: [${p.tags}]`,
  'list.hostless': (p) =>
    `${p.count} ${plural(p.count, 'play', 'plays')} sin ningún host en esta ejecución: ${p.plays}`,
  'list.syntaxOk': (p) =>
    `playbook: ${p.playbook}: sintaxis y variables correctas (inventario ${p.inventory}: ` +
    `${p.hosts} ${plural(p.hosts, 'host', 'hosts')}, ${p.plays} ${plural(p.plays, 'play', 'plays')} con hosts); ` +
    'no se ha ejecutado nada',

  'cli.noHosts': (p) => `ningún host coincide (inventario ${p.inventory}${p.filters}): nada que hacer`,
  'cli.forks': (p) =>
    `se espera cuántos hosts ejecutar en paralelo, un número entero de 1 o más; se recibió "${p.value}"`,
  'cli.graphFormat': (p) => `graph: formato desconocido "${p.format}" (${p.formats}; o -o ARCHIVO.svg|.png|.dot)`,
  'graph.liveTimeout': (p) =>
    `graph: --timeout espera cuántos segundos esperar a cada host, un número de 1 a 60; se recibió "${p.value}"`,
  'graph.liveNoAnswer': (p) => `no responde en ${p.seconds} s`,
  'graph.labUp': (p) =>
    `el lab está en marcha para ${p.inventory}: añade --live para ver quién tiene cada VIP ahora y qué hosts ` +
    'están caídos',
}
