/* advisor/render_int.h - what the report's writers share (internal to advisor/render*.c).
 *
 * render.c assembles the report; render_num.c formats numbers; render_json.c writes the JSON;
 * render_md.c the first four sections, render_plan.c the last three and the appendix;
 * render_speech.c the audio script.
 */
#ifndef PW_ADVISOR_RENDER_INT_H
#define PW_ADVISOR_RENDER_INT_H

#include "advisor_int.h"

/* ---- numbers (render_num.c) ---- */
size_t fixed_str_(char *s, double v, int dec, int grouped);
void put_grouped_(struct buf *out, double v);
/* A unit price with the decimals it has: "0.0208", "350", "0.000016667" (nine below 0.001). */
void put_price_(struct buf *b, double v);
void put_fixed_(struct buf *out, double v, int dec, int grouped);
/* Money and durations as people say them: "about 12 thousand dollars", "5 seconds". */
void spoken_usd_(struct buf *out, double v);
void spoken_duration_(struct buf *out, double s);
/* An amount of data in the unit people use for it: "2.9 petabytes" ('spoken') or "2.9 PB". */
void put_bytes_(struct buf *b, double gb, int spoken);
/* A duration for the page: "40 minutes", "6 hours", "3 days". */
void put_hours_(struct buf *b, double hours);
/* A retention: "365 days" is "1 year", "2,555 days" is "7 years", "90 days" stays. */
void put_days_(struct buf *b, double days);

/* Appends each string in turn up to a NULL: the report's "%s"-only sentences without a format. */
void cat_(struct buf *b, ...) __attribute__((sentinel));

/* ---- shared Markdown helpers (render_md.c) ---- */
const char *mode_words_(enum mode m);
/* The kind of request in prose: "migration", "cost reduction", "change-data-capture pipeline". */
const char *kind_words_(enum request_kind k);
/* The areas the Architecture Overview's table weighs (not formats, quality tooling, catalog,
 * data model or partitioning: those are listed in the appendix). */
int weighed_area_(const char *area);
const char *choice_or_(const struct analysis *an, const char *area, const char *dflt);
void md_cell_(struct buf *b, const char *s);

/* The report's sections, each into 'b'. */
void sec_summary_(struct analysis *an, const struct analysis *prev, struct buf *b);
void sec_architecture_(struct analysis *an, struct buf *b);
void sec_implementation_(struct analysis *an, struct buf *b);
void sec_performance_(struct analysis *an, struct buf *b);
/* render_plan.c */
void sec_cost_(struct analysis *an, struct buf *b);
void sec_risks_(struct analysis *an, struct buf *b);
void sec_steps_(struct analysis *an, struct buf *b);
/* The appendix: its tables and lists, then (appendix_code_) the Terraform and the DOT, which the
 * JSON carries in iac.terraform and diagram.dot instead. */
void appendix_(struct analysis *an, struct buf *b);
void appendix_code_(struct analysis *an, struct buf *b);
/* The cost headline of the summary: the figure (or range), what already runs apart from what is
 * new, and the verdict against the budget (only the verdict when !figure). One place, so new
 * cost fields print everywhere. */
void cost_headline_(struct analysis *an, struct buf *b, int figure);
/* A data rule that holds for nearly every request ("always", or only negations). */
int generic_rule_(const char *when);
/* Questions before committing: the analysis's, then the extractor's, without duplicates. */
size_t questions_(const struct analysis *an, const char **out, size_t cap);
/* Tools the team lacks the skills for: writes "Apache Flink (java, flink)" items, returns count. */
size_t skills_gaps_(struct analysis *an, const char **out, size_t cap);

/* ---- JSON and audio ---- */
struct jsonw;
void render_json_(struct analysis *an, const struct analysis *prev, const struct report *rep,
                  const char *fp, struct buf *out);
void audio_script_(struct analysis *an, struct buf *b);

#endif
