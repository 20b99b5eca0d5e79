/* advisor/cost_int.h - helpers shared by the cost stage's files (cost.c, cost_estate.c,
 * cost_levers.c). */
#ifndef PW_ADVISOR_COST_INT_H
#define PW_ADVISOR_COST_INT_H

#include "advisor_int.h"

double cost_cents_(double v);
/* The number written at 's' ("1,200", "4.5"), with '*end' after it and its spaces. */
double cost_number_at_(const char *s, const char **end);
/* Cost of 'q' units of 'p' across its volume tiers, at the low or the high end of the basis. */
double cost_tiered_(const struct price *p, double q, int high);
/* Adds a line; quantities at the planning month, month 1 and steady state. NULL when full. */
struct line *cost_line_(struct analysis *an, const struct decision *d, const char *service,
                        const char *area, const char *model, const struct price *pr, double qty,
                        double qty_m1, double qty_steady);
/* Adds a lever that saves 'savings' a month (ignored under half a cent or when full). */
void cost_lever_(struct costing *c, const char *name, double savings, const char *detail);
/* The levers of the priced lines: tiering to 'archive' from 'cool' (either may be NULL), spot,
 * commitments, scan pruning, a serverless scheduler, a shorter retention (cost_levers.c). */
void cost_levers_(struct analysis *an, const struct price *archive, const struct price *cool);
/* Lake GB at 'month' months: the hot part and the rest (with what a migration moves over). */
void cost_lake_gb_(const struct analysis *an, double month, double *hot, double *cool);
/* A model of capacity that runs all month (brokers, shards, nodes, a warehouse kept up). */
int cost_always_on_(const char *model);
/* A model of lake storage (hot or cool). */
int cost_is_storage_(const char *model);
/* The costcues.tsv value of 'kind'/'token' (first match), or NULL. */
const char *cost_cue_(const struct advisor *a, const char *kind, const char *token);

void cost_budget_scope_(struct analysis *an);
void cost_snowflake_edition_(struct analysis *an);
/* Prices capacity the request says already runs ("ra3.4xlarge x4") as existing lines. */
void cost_existing_nodes_(struct analysis *an);
/* The price of the existing-capacity line that already prices a reused decision's product
 * (its F SKU, its nodes), or NULL. */
const struct price *cost_covered_(const struct analysis *an, const struct decision *d);
/* Cost reduction: prices the current estate and the tiered one; returns 1 when it replaced the
 * storage decision's lines. */
int cost_estate_(struct analysis *an);
void cost_parallel_run_(struct analysis *an);
/* The largest stored volume the request states ("~600 TB stored"), in GB; else 0. */
double cost_stated_stored_gb_(const struct analysis *an);
/* Cost reduction of a compute bill: prices the proposed warehouse compute (and the stated
 * storage) and the current bill; returns 1 when it replaced the warehouse decisions' lines. */
int cost_compute_(struct analysis *an);
/* The dashboard readers the request counts ("~900 tableau users"), or 0. */
double cost_stated_viewers_(const struct analysis *an);
/* After the totals: a compute bill stated but not modelled above, against the priced lines. */
void cost_compute_bill_(struct analysis *an);
/* Migration: the data moved onto the new platform, the smallest stored volume the request
 * states (raw and replicated or compressed and not: the smaller is the data), in GB; else 0. */
double cost_migrated_gb_(const struct analysis *an);

#endif
