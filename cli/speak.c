/* cli/speak.c - `pipewright speak`: synthesise text to an Ogg Opus or WAV file, offline.
 *
 * Runs the whole speech path (normalise, synthesise, encode) in this process through
 * speech_render(); no Kafka, no worker pool. Prints one summary line on stdout (voice, rate,
 * duration, size, spoken text length) and diagnostics on stderr. Input is bounded by
 * PW_MAX_MESSAGE_BYTES before anything is allocated for it.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bounds.h"
#include "speech.h"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright speak (--text TEXT | --file FILE) --out OUT [--voice ENGINE:VOICE]\n"
            "                        [--rate WPM] [--codec opus|wav] [--print-text]\n"
            "                        [--verbatim]\n\n"
            "Synthesise text to speech, offline. Numbers, units, money and product names are\n"
            "rewritten for the ear first.\n\n"
            "  --text TEXT        the text to say\n"
            "  --file FILE        read the text from FILE ('-' for standard input)\n"
            "  --out OUT          write the audio to OUT ('-' for standard output)\n"
            "  --voice V          espeak-ng:en-us (default), espeak-ng:en-gb, flite:rms,\n"
            "                     flite:slt, flite:kal16\n"
            "  --rate WPM         words per minute, %d..%d (default: the voice's own)\n"
            "  --codec C          opus (default, Ogg Opus 16 kbit/s) or wav (PCM16)\n"
            "  --print-text       print the normalised text that is spoken, on stderr\n"
            "  --verbatim         skip normalisation: give the engine the text as it is (to\n"
            "                     reproduce an engine problem; at most %d bytes)\n"
            "  --help             this text\n",
            SPEECH_MIN_WPM, SPEECH_MAX_WPM, PW_MAX_SPEECH_CHARS);
}

/* Reads all of 'path' into 'out', refusing more than PW_MAX_MESSAGE_BYTES. */
static int
read_text(const char *path, struct buf *out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "pipewright speak: %s: %s\n", path, strerror(errno));
        return CLI_EX_NOINPUT;
    }
    char chunk[8192];
    size_t n;
    int rc = CLI_EX_OK;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (out->len + n > PW_MAX_MESSAGE_BYTES) {
            fprintf(stderr, "pipewright speak: %s: longer than %d bytes\n", path,
                    PW_MAX_MESSAGE_BYTES);
            rc = CLI_EX_DATAERR;
            break;
        }
        buf_append(out, chunk, n);
    }
    if (rc == CLI_EX_OK && ferror(f)) {
        fprintf(stderr, "pipewright speak: %s: read error\n", path);
        rc = CLI_EX_NOINPUT;
    }
    if (f != stdin) fclose(f);
    return rc;
}

static int
write_audio(const char *path, const struct speech_result *res)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "pipewright speak: %s: %s\n", path, strerror(errno));
        return CLI_EX_CANTCREAT;
    }
    int bad = fwrite(res->audio, 1, res->audio_len, f) != res->audio_len;
    if (f != stdout) bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    if (bad) {
        fprintf(stderr, "pipewright speak: %s: write error\n", path);
        return CLI_EX_CANTCREAT;
    }
    return CLI_EX_OK;
}

struct speak_opts {
    const char *text, *file, *out;
    struct speech_request req;
    int print_text;
};

/* Returns CLI_EX_OK, -1 after --help, or CLI_EX_USAGE having said why. */
static int
parse_args(int argc, char **argv, struct speak_opts *o)
{
    static const struct option opts[] = {
        {"codec", required_argument, NULL, 'c'}, {"file", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},        {"out", required_argument, NULL, 'o'},
        {"print-text", no_argument, NULL, 'p'},  {"rate", required_argument, NULL, 'r'},
        {"text", required_argument, NULL, 't'},  {"verbatim", no_argument, NULL, 'V'},
        {"voice", required_argument, NULL, 'v'}, {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "c:f:ho:pr:t:Vv:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': {
            int codec = speech_codec_parse(optarg);
            if (codec < 0) {
                fprintf(stderr, "pipewright speak: unknown codec '%s' (opus or wav)\n", optarg);
                return CLI_EX_USAGE;
            }
            o->req.codec = (enum speech_codec)codec;
            break;
        }
        case 'f':
            o->file = optarg;
            break;
        case 'h':
            usage(stdout);
            return -1;
        case 'o':
            o->out = optarg;
            break;
        case 'p':
            o->print_text = 1;
            break;
        case 'r': {
            char *end;
            errno = 0;
            long r = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || r < SPEECH_MIN_WPM || r > SPEECH_MAX_WPM) {
                fprintf(stderr, "pipewright speak: --rate wants %d..%d words per minute\n",
                        SPEECH_MIN_WPM, SPEECH_MAX_WPM);
                return CLI_EX_USAGE;
            }
            o->req.rate_wpm = (int)r;
            break;
        }
        case 't':
            o->text = optarg;
            break;
        case 'V':
            o->req.verbatim = 1;
            break;
        case 'v':
            o->req.voice = optarg;
            break;
        default:
            usage(stderr);
            return CLI_EX_USAGE;
        }
    }
    if (optind != argc || (o->text == NULL) == (o->file == NULL) || o->out == NULL) {
        fprintf(stderr, "pipewright speak: give exactly one of --text or --file, and --out\n");
        usage(stderr);
        return CLI_EX_USAGE;
    }
    return CLI_EX_OK;
}

int
cli_speak_main(int argc, char **argv)
{
    struct speak_opts o = {
        .req = {.voice = SPEECH_DEFAULT_VOICE, .codec = SPEECH_CODEC_OPUS},
    };
    char err[256];
    int rc = parse_args(argc, argv, &o);
    if (rc != CLI_EX_OK) return rc < 0 ? CLI_EX_OK : rc;
    if (speech_voice_check(o.req.voice, err, sizeof(err)) != 0) {
        fprintf(stderr, "pipewright speak: %s\n", err);
        return CLI_EX_USAGE;
    }

    struct buf input;
    struct speech_result res;
    buf_init(&input);
    speech_result_init(&res);
    if (o.file != NULL) {
        if ((rc = read_text(o.file, &input)) != CLI_EX_OK) goto done;
        buf_putc(&input, '\0'); /* an empty file still gives a C string */
        o.req.text = input.data;
    } else {
        o.req.text = o.text;
    }
    if (speech_render(&o.req, &res, err, sizeof(err)) != 0) {
        fprintf(stderr, "pipewright speak: %s\n", err);
        rc = CLI_EX_DATAERR;
        goto done;
    }
    if (o.print_text) fprintf(stderr, "%s\n", res.spoken_text);
    if ((rc = write_audio(o.out, &res)) != CLI_EX_OK) goto done;
    if (strcmp(o.out, "-") != 0)
        printf("voice=%s codec=%s sample_rate=%d duration_s=%.2f bytes=%zu "
               "bytes_per_audio_s=%.0f spoken_chars=%zu out=%s\n",
               res.voice, speech_codec_name(res.codec), res.sample_rate, res.duration_s,
               res.audio_len, res.duration_s > 0 ? res.audio_len / res.duration_s : 0.0,
               strlen(res.spoken_text), o.out);
done:
    speech_result_fini(&res);
    buf_fini(&input);
    return rc;
}
