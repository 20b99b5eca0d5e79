/* daemon/diagram.c - Graphviz DOT to SVG with libgvc, bounded, for GET /v1/reports/{id}/diagram.svg.
 *
 * The DOT comes from the advisor (advisor/iac.c) by way of Redis, so it is checked as input:
 * its size first, then, once cgraph has parsed it, its shape (node and edge counts, no
 * subgraphs) and the attributes it declares. Only the attributes the advisor writes are
 * accepted; anything else (image, shapefile, URL, stylesheet, fontpath...) would let a
 * planted diagram read files or link out, and an HTML-like label could embed an image, so both
 * are refused on the parsed graph, never by editing text. Graphviz escapes labels itself when
 * it writes SVG.
 *
 * The context loads two plugin libraries linked into the daemon (dot layout, core renderers)
 * and nothing from disk: no plugin configuration, no pango or fontconfig in the process, the
 * same output on every host. Layout effort is capped (network simplex and crossing
 * minimisation iterations); with the node and edge bounds of diagram.h a render takes under a
 * millisecond for the advisor's largest diagram, which is why it runs on the loop.
 */
#include "diagram.h"

#include <stdio.h>
#include <string.h>

#include <gvc.h>
#include <gvplugin.h>

extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;

static const lt_symlist_t builtins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {NULL, NULL},
};

/* What the advisor's diagrams declare, per kind of object. */
static const char *const graph_attrs[] = {"rankdir", NULL};
static const char *const node_attrs[] = {"label", "shape", "style", "fontname", "fontsize", NULL};
static const char *const edge_attrs[] = {"style", NULL};

/* Caps on layout effort, set on the parsed graph: iterations of network simplex (ranking and
 * x coordinates) and of crossing minimisation. */
static char effort[][2][12] = {{"nslimit", "20"},
                               {"nslimit1", "20"},
                               {"mclimit", "0.5"},
                               {"searchsize", "30"}};
/* cgraph's API takes 'char *' where it only reads */
static char label_attr[] = "label", no_default[] = "";

/* Graphviz reports through a global handler; the messages are not needed (the return codes
 * say enough) and must not reach the daemon's stderr. */
static int
quiet(char *msg)
{
    (void)msg;
    return 0;
}

static int
listed(const char *name, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(name, *names) == 0) return 1;
    return 0;
}

/* Returns the name of the first declared attribute of 'kind' not in 'allowed', or NULL. */
static const char *
unlisted_attr(Agraph_t *g, int kind, const char *const *allowed)
{
    for (Agsym_t *sym = agnxtattr(g, kind, NULL); sym; sym = agnxtattr(g, kind, sym))
        if (!listed(sym->name, allowed)) return sym->name;
    return NULL;
}

/* Checks the parsed graph; returns NULL when it may be laid out, else why not. */
static const char *
refusal(Agraph_t *g, char *why, size_t size)
{
    if (agnnodes(g) > DIAGRAM_NODES_MAX) return "the diagram has too many nodes";
    if (agnedges(g) > DIAGRAM_EDGES_MAX) return "the diagram has too many edges";
    if (agfstsubg(g) != NULL) return "the diagram has subgraphs";
    const char *name;
    if ((name = unlisted_attr(g, AGRAPH, graph_attrs)) ||
        (name = unlisted_attr(g, AGNODE, node_attrs)) ||
        (name = unlisted_attr(g, AGEDGE, edge_attrs))) {
        /* the name is named only when it is a plain word: the reason goes to logs and JSON */
        size_t len = strlen(name);
        if (len == 0 || len > 32 ||
            strspn(name, "abcdefghijklmnopqrstuvwxyz"
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != len)
            return "the diagram uses an attribute diagrams do not use";
        snprintf(why, size, "the diagram uses the attribute '%s'", name);
        return why;
    }
    Agsym_t *label = agattr(g, AGNODE, label_attr, NULL);
    if (label) {
        if (aghtmlstr(label->defval)) return "the diagram has an HTML-like label";
        for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
            if (aghtmlstr(agxget(n, label))) return "the diagram has an HTML-like label";
    }
    return NULL;
}

static void
set_err(char *err, size_t err_size, const char *msg)
{
    if (err_size) snprintf(err, err_size, "%s", msg);
}

/* Lays out and renders the checked graph 'g' into 'out'. */
static int
render(Agraph_t *g, struct buf *out, char *err, size_t err_size)
{
    for (size_t i = 0; i < sizeof(effort) / sizeof(effort[0]); i++)
        agsafeset(g, effort[i][0], effort[i][1], no_default);
    GVC_t *gvc = gvContextPlugins(builtins, 0);
    if (gvc == NULL) {
        set_err(err, err_size, "Graphviz could not start");
        return -1;
    }
    int rc = -1;
    char *svg = NULL;
    unsigned int svg_len = 0;
    if (gvLayout(gvc, g, "dot") != 0) {
        set_err(err, err_size, "Graphviz could not lay the diagram out");
    } else {
        if (gvRenderData(gvc, g, "svg", &svg, &svg_len) != 0 || svg == NULL)
            set_err(err, err_size, "Graphviz could not render the diagram");
        else if (svg_len > DIAGRAM_SVG_MAX)
            set_err(err, err_size, "the rendered diagram is too big");
        else {
            buf_append(out, svg, svg_len);
            rc = 0;
        }
        if (svg) gvFreeRenderData(svg);
        gvFreeLayout(gvc, g);
    }
    gvFreeContext(gvc);
    return rc;
}

int
diagram_svg(const char *dot, size_t len, struct buf *out, char *err, size_t err_size)
{
    if (len == 0 || len > DIAGRAM_DOT_MAX) {
        set_err(err, err_size, len ? "the diagram is too big" : "the diagram is empty");
        return -1;
    }
    if (memchr(dot, '\0', len) != NULL) {
        set_err(err, err_size, "the diagram holds a NUL byte");
        return -1;
    }
    struct buf text; /* agmemread wants a C string */
    buf_init(&text);
    buf_append(&text, dot, len);
    agseterrf(quiet);
    agseterr(AGMAX);
    Agraph_t *g = agmemread(text.data);
    buf_fini(&text);
    if (g == NULL) {
        agreseterrors();
        set_err(err, err_size, "the diagram is not valid DOT");
        return -1;
    }
    char why[128];
    const char *no = refusal(g, why, sizeof(why));
    int rc = -1;
    if (no) set_err(err, err_size, no);
    else
        rc = render(g, out, err, err_size);
    agclose(g);
    agreseterrors();
    return rc;
}
