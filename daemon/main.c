/* daemon/main.c - pipewrightd: configuration, the loop, exit status.
 *
 * The same binary is also the speech worker: the daemon re-executes itself with
 * --speech-worker for each worker process (see speech/speech.h), so a crash in the speech
 * libraries costs one worker, never the daemon.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "speech.h"

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--speech-worker") == 0)
        return speech_worker_main(SPEECH_WORKER_FD);

    struct config cfg;
    switch (config_parse(&cfg, argc, argv)) {
    case CONFIG_OK:
        break;
    case CONFIG_EXIT_OK:
        config_fini(&cfg);
        return 0;
    case CONFIG_ERROR:
        config_fini(&cfg);
        return 78; /* EX_CONFIG */
    }
    int level = log_level_parse(cfg.log_level);
    if (level < 0) {
        fprintf(stderr, "pipewrightd: log_level must be debug, info, warn or error\n");
        config_fini(&cfg);
        return 78;
    }
    log_min_level = (enum log_level)level;
    log_json = cfg.log_json;

    struct daemon d;
    int rc = 1;
    if (daemon_start(&d, &cfg) == 0) {
        event_base_dispatch(d.base);
        rc = d.exit_code;
        log_info("daemon", "STOPPED", "exit_code=%d answered=%lu dead_lettered=%lu", rc,
                 d.outcomes[OUTCOME_ANSWERED], d.outcomes[OUTCOME_DEAD_LETTER]);
    }
    daemon_stop(&d);
    config_fini(&cfg);
    return rc;
}
