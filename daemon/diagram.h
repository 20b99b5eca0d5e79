/* daemon/diagram.h - a report's data-flow diagram (Graphviz DOT) rendered as SVG (diagram.c). */
#ifndef PW_DAEMON_DIAGRAM_H
#define PW_DAEMON_DIAGRAM_H

#include <stddef.h>

#include "buf.h"

/* Bounds on what is rendered. The advisor's diagrams stay far below them (at most 12 sources:
 * about 40 nodes, 40 edges and 6 KB of DOT); layout time grows fast with nodes and edges, so
 * the counts bound the time a render can take. */
#define DIAGRAM_DOT_MAX (32 * 1024)
#define DIAGRAM_NODES_MAX 64
#define DIAGRAM_EDGES_MAX 96
#define DIAGRAM_SVG_MAX (1024 * 1024)

/* Lays out 'dot' ('len' bytes) with Graphviz's dot engine and appends the SVG document to
 * 'out'. Returns 0, or -1 with why in 'err' (the DOT is too big, does not parse, uses an
 * attribute or a label kind diagrams do not use, or the SVG is too big); 'out' is then left
 * as it was. Only Graphviz's own core renderer and dot layout are loaded: no plugins from
 * disk, no fonts (text is measured with Graphviz's built-in metrics), no file is ever read.
 * Thread: one thread at a time (Graphviz keeps global state). */
int diagram_svg(const char *dot, size_t len, struct buf *out, char *err, size_t err_size);

#endif
