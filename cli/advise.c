/* cli/advise.c - `pipewright advise`: run the advisor offline on a requirement file.
 *
 *   pipewright advise FILE|- [--format markdown|json] [--jsonl] [--audio OUT.ogg]
 *                            [--voice ENGINE:VOICE]
 *   pipewright advise --text "REQUEST" [--title TITLE] [--format ...] [--audio ...]
 *
 * Reads one JSON requirement (or, with --jsonl, one per line) from FILE or standard input, or
 * takes a request written in prose with --text, validates it with the same rules as the wire
 * decoders (offline, a missing event_id or project_id defaults to "offline"), and prints the
 * report: JSON or Markdown
 * for one requirement, one JSON report a line for JSON Lines. --audio synthesises the report's
 * spoken summary in this process. Refuses input over the message limit and reports each bad
 * line by number; a bad line does not stop the others (exit 65 at the end). No Kafka, no Redis.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "buf.h"
#include "jsonw.h"
#include "bounds.h"
#include "requirement.h"
#include "speech.h"
#include "wire.h"
#include "xalloc.h"

enum format { FORMAT_JSON = 0, FORMAT_MARKDOWN };

struct opts {
    const char *path;
    enum format format;
    int jsonl;
    const char *audio_path;
    const char *voice;
    const char *text;  /* --text: the request in prose, instead of a file */
    const char *title; /* --title, with --text */
};

/* Offline there is no project or event: a request without ids gets these. */
#define OFFLINE_ID "offline"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: pipewright advise FILE|- [--format markdown|json] [--jsonl]\n"
            "                        [--audio OUT.ogg] [--voice ENGINE:VOICE]\n"
            "       pipewright advise --text \"REQUEST\" [--title TITLE] [--format F] ...\n\n"
            "Runs the advisor on a JSON requirement (the fields of schemas/requirement.avsc)\n"
            "and prints the architecture report. '-' reads standard input. A requirement\n"
            "without event_id or project_id gets \"" OFFLINE_ID "\" for them.\n\n"
            "  --text T        the request as a person wrote it (instead of FILE)\n"
            "  --title T       its title, with --text\n"
            "  --format F      json (default) or markdown\n"
            "  --jsonl         one requirement per line in, one JSON report per line out\n"
            "  --audio FILE    also write the spoken summary as Ogg Opus to FILE\n"
            "  --voice E:V     voice for --audio (default %s)\n"
            "  --help          this text\n\n"
            "Exit status: 0 ok, 64 usage, 65 bad input, 66 no input file, 70 internal error,\n"
            "73 cannot write the audio file.\n",
            SPEECH_DEFAULT_VOICE);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'}, {"jsonl", no_argument, NULL, 'l'},
        {"audio", required_argument, NULL, 'a'},  {"voice", required_argument, NULL, 'v'},
        {"text", required_argument, NULL, 't'},   {"title", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof(*o));
    optind = 0; /* glibc: restart option scanning for this argv */
    int c;
    while ((c = getopt_long(argc, argv, "f:la:v:t:T:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0) o->format = FORMAT_JSON;
            else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
                o->format = FORMAT_MARKDOWN;
            else {
                fprintf(stderr, "pipewright advise: --format must be json or markdown, not '%s'\n",
                        optarg);
                return CLI_EX_USAGE;
            }
            break;
        case 'l':
            o->jsonl = 1;
            break;
        case 'a':
            o->audio_path = optarg;
            break;
        case 'v':
            o->voice = optarg;
            break;
        case 't':
            o->text = optarg;
            break;
        case 'T':
            o->title = optarg;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return CLI_EX_USAGE;
        }
    }
    int want = o->text ? 0 : 1;
    if (argc - optind != want) {
        if (o->text)
            fprintf(stderr, "pipewright advise: --text takes no FILE, got %d\n", argc - optind);
        else
            fprintf(stderr, "pipewright advise: expected one FILE (or '-') or --text, got %d\n",
                    argc - optind);
        usage(stderr);
        return CLI_EX_USAGE;
    }
    o->path = o->text ? NULL : argv[optind];
    if (o->title && !o->text) {
        fprintf(stderr, "pipewright advise: --title only applies with --text\n");
        return CLI_EX_USAGE;
    }
    if (o->text && o->jsonl) {
        fprintf(stderr, "pipewright advise: --text takes one request, not --jsonl\n");
        return CLI_EX_USAGE;
    }
    if (o->jsonl && o->audio_path) {
        fprintf(stderr, "pipewright advise: --audio takes one requirement, not --jsonl\n");
        return CLI_EX_USAGE;
    }
    if (o->voice && !o->audio_path) {
        fprintf(stderr, "pipewright advise: --voice only applies with --audio\n");
        return CLI_EX_USAGE;
    }
    return 0;
}

/* Reads all of 'f' into 'out', at most 'max' bytes. Returns 0, or -1 when longer. */
static int
read_bounded(FILE *f, struct buf *out, size_t max)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (out->len + n > max) return -1;
        buf_append(out, chunk, n);
    }
    return 0;
}

static int
write_audio(const struct opts *o, const struct report *rep)
{
    char err[256];
    if (o->voice && speech_voice_check(o->voice, err, sizeof(err)) != 0) {
        fprintf(stderr, "pipewright advise: --voice %s: %s\n", o->voice, err);
        return CLI_EX_USAGE;
    }
    struct speech_request sr = {.text = rep->audio_script,
                                .voice = o->voice,
                                .codec = SPEECH_CODEC_OPUS};
    struct speech_result res;
    speech_result_init(&res);
    if (speech_render(&sr, &res, err, sizeof(err)) != 0) {
        fprintf(stderr, "pipewright advise: speech synthesis failed: %s\n", err);
        speech_result_fini(&res);
        return CLI_EX_SOFTWARE;
    }
    FILE *f = fopen(o->audio_path, "wb");
    int rc = CLI_EX_OK;
    if (f == NULL || fwrite(res.audio, 1, res.audio_len, f) != res.audio_len) {
        fprintf(stderr, "pipewright advise: %s: %s\n", o->audio_path, strerror(errno));
        rc = CLI_EX_CANTCREAT;
    }
    if (f && fclose(f) != 0 && rc == CLI_EX_OK) {
        fprintf(stderr, "pipewright advise: %s: %s\n", o->audio_path, strerror(errno));
        rc = CLI_EX_CANTCREAT;
    }
    if (rc == CLI_EX_OK)
        fprintf(stderr, "pipewright advise: wrote %s (%zu bytes, %.1f s, %s)\n", o->audio_path,
                res.audio_len, res.duration_s, res.voice ? res.voice : "default voice");
    speech_result_fini(&res);
    return rc;
}

/* Returns 'json' as a new string with "event_id" and "project_id" set to OFFLINE_ID where they
 * are absent or null, or NULL when it is not a JSON object (the parser then says why). */
static char *
with_offline_ids(const char *json, size_t len)
{
    json_error_t jerr;
    json_t *obj = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        return NULL;
    }
    static const char *const ids[] = {"event_id", "project_id"};
    for (size_t i = 0; i < PW_ARRAY_LEN(ids); i++) {
        json_t *v = json_object_get(obj, ids[i]);
        if (v == NULL || json_is_null(v)) json_object_set_new(obj, ids[i], json_string(OFFLINE_ID));
    }
    char *out = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return out;
}

/* Parses one JSON requirement; offline, missing ids default (see with_offline_ids()). */
static enum wire_status
parse_offline(const char *json, size_t len, struct requirement *req, char *detail,
              size_t detail_size)
{
    enum wire_status st = requirement_json_parse(json, len, req, detail, detail_size);
    if (st != WIRE_ERR_INVALID || strstr(detail, "_id is missing") == NULL) return st;
    char *fixed = with_offline_ids(json, len);
    if (fixed == NULL) return st;
    requirement_fini(req);
    requirement_init(req);
    st = requirement_json_parse(fixed, strlen(fixed), req, detail, detail_size);
    free(fixed);
    return st;
}

/* The JSON requirement of --text and --title. */
static void
text_request(const struct opts *o, struct buf *out)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_obj_begin(&w);
    jsonw_kstr(&w, "event_id", OFFLINE_ID);
    jsonw_kstr(&w, "project_id", OFFLINE_ID);
    if (o->title) jsonw_kstr(&w, "title", o->title);
    jsonw_kstr(&w, "description", o->text);
    jsonw_obj_end(&w);
}

/* Advises on one JSON text. Prints the report (or, in JSON Lines mode, an error object) and
 * returns an exit status. 'where' names the input in messages ("FILE" or "FILE:LINE"). */
static int
advise_one(const struct advisor *a, const struct opts *o, const char *json, size_t len,
           const char *where, int *produced_out)
{
    struct requirement req;
    char detail[256] = "";
    requirement_init(&req);
    enum wire_status st = parse_offline(json, len, &req, detail, sizeof(detail));
    if (st != WIRE_OK) {
        fprintf(stderr, "pipewright advise: %s: %s: %s\n", where, wire_status_str(st), detail);
        if (o->jsonl) {
            struct buf b;
            buf_init(&b);
            struct jsonw w;
            jsonw_init(&w, &b);
            jsonw_obj_begin(&w);
            jsonw_kstr(&w, "error", wire_status_str(st));
            jsonw_kstr(&w, "detail", detail);
            jsonw_kstr(&w, "input", where);
            jsonw_obj_end(&w);
            printf("%s\n", b.data);
            buf_fini(&b);
        }
        return CLI_EX_DATAERR;
    }
    struct report rep;
    char err[256];
    if (advisor_run(a, &req, NULL, &rep, err, sizeof(err)) != 0) {
        fprintf(stderr, "pipewright advise: %s: %s\n", where, err);
        requirement_fini(&req);
        return CLI_EX_SOFTWARE;
    }
    if (o->jsonl && o->format == FORMAT_MARKDOWN) {
        struct buf b;
        buf_init(&b);
        json_quote(&b, rep.markdown, strlen(rep.markdown));
        printf("%s\n", b.data);
        buf_fini(&b);
    } else if (o->format == FORMAT_MARKDOWN) {
        fputs(rep.markdown, stdout);
    } else {
        printf("%s\n", rep.json);
    }
    *produced_out = 1;
    int rc = o->audio_path ? write_audio(o, &rep) : CLI_EX_OK;
    report_fini(&rep);
    requirement_fini(&req);
    return rc;
}

static int
run_jsonl(const struct advisor *a, const struct opts *o, FILE *in, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = CLI_EX_OK, produced = 0;
    while ((n = getline(&line, &cap, in)) != -1) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        size_t lead = strspn(line, " \t");
        if (lead == len) continue;
        char where[512];
        snprintf(where, sizeof(where), "%s:%ld", name, lineno);
        if (len > PW_MAX_MESSAGE_BYTES) {
            fprintf(stderr, "pipewright advise: %s: too_large: over %d bytes\n", where,
                    PW_MAX_MESSAGE_BYTES);
            printf("{\"error\":\"too_large\",\"input\":\"line %ld\"}\n", lineno);
            rc = CLI_EX_DATAERR;
            continue;
        }
        int r = advise_one(a, o, line, len, where, &produced);
        if (r != CLI_EX_OK && (rc == CLI_EX_OK || r != CLI_EX_DATAERR)) rc = r;
        fflush(stdout);
    }
    free(line);
    return rc;
}

static int
advise_text(const struct opts *o)
{
    if (strlen(o->text) > PW_MAX_TEXT_BYTES) {
        fprintf(stderr, "pipewright advise: --text: too_large: over %d bytes\n", PW_MAX_TEXT_BYTES);
        return CLI_EX_DATAERR;
    }
    char err[256];
    struct advisor *a = advisor_new(err, sizeof(err));
    if (a == NULL) {
        fprintf(stderr, "pipewright advise: advisor data: %s\n", err);
        return CLI_EX_SOFTWARE;
    }
    struct buf json;
    buf_init(&json);
    text_request(o, &json);
    int produced = 0;
    int rc = advise_one(a, o, json.data, json.len, "--text", &produced);
    buf_fini(&json);
    advisor_free(a);
    if (fflush(stdout) != 0 && rc == CLI_EX_OK) rc = CLI_EX_SOFTWARE;
    return rc;
}

int
cli_advise_main(int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) return rc < 0 ? CLI_EX_OK : rc;
    if (o.text) return advise_text(&o);
    FILE *in = strcmp(o.path, "-") == 0 ? stdin : fopen(o.path, "rb");
    if (in == NULL) {
        fprintf(stderr, "pipewright advise: %s: %s\n", o.path, strerror(errno));
        return CLI_EX_NOINPUT;
    }
    const char *name = in == stdin ? "<stdin>" : o.path;
    char err[256];
    struct advisor *a = advisor_new(err, sizeof(err));
    if (a == NULL) {
        fprintf(stderr, "pipewright advise: advisor data: %s\n", err);
        if (in != stdin) fclose(in);
        return CLI_EX_SOFTWARE;
    }
    int produced = 0;
    if (o.jsonl) {
        rc = run_jsonl(a, &o, in, name);
    } else {
        struct buf text;
        buf_init(&text);
        if (read_bounded(in, &text, PW_MAX_MESSAGE_BYTES) != 0) {
            fprintf(stderr, "pipewright advise: %s: too_large: over %d bytes\n", name,
                    PW_MAX_MESSAGE_BYTES);
            rc = CLI_EX_DATAERR;
        } else if (ferror(in)) {
            fprintf(stderr, "pipewright advise: %s: read error\n", name);
            rc = CLI_EX_NOINPUT;
        } else if (text.len == 0) {
            fprintf(stderr, "pipewright advise: %s: empty: no requirement\n", name);
            rc = CLI_EX_DATAERR;
        } else {
            rc = advise_one(a, &o, text.data, text.len, name, &produced);
        }
        buf_fini(&text);
    }
    if (in != stdin) fclose(in);
    advisor_free(a);
    if (fflush(stdout) != 0 && rc == CLI_EX_OK) rc = CLI_EX_SOFTWARE;
    return rc;
}
