/* cli/cli.h - the `pipewright` command: one file per subcommand.
 *
 * Each subcommand is 'int cli_<name>_main(int argc, char **argv)' with argv[0] the subcommand
 * name; it parses its own options (getopt_long), prints data on stdout and diagnostics on
 * stderr, and returns a sysexits-style status: 0 ok, 64 usage, 65 bad input data, 69 a service
 * unavailable, 70 internal error, 75 temporary failure (e.g. a timeout).
 */
#ifndef PW_CLI_CLI_H
#define PW_CLI_CLI_H

#define CLI_EX_OK 0
#define CLI_EX_USAGE 64
#define CLI_EX_DATAERR 65
#define CLI_EX_NOINPUT 66
#define CLI_EX_UNAVAILABLE 69
#define CLI_EX_SOFTWARE 70
#define CLI_EX_CANTCREAT 73
#define CLI_EX_TEMPFAIL 75

int cli_publish_main(int argc, char **argv);
int cli_watch_main(int argc, char **argv);
int cli_advise_main(int argc, char **argv);
int cli_speak_main(int argc, char **argv);
int cli_topics_main(int argc, char **argv);
int cli_schema_main(int argc, char **argv);

#endif
