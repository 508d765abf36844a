#ifndef HOOKWALK_CGRAPHVIZ_SHIM_H
#define HOOKWALK_CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include <stdlib.h>
#include <string.h>

/* Agdirected and friends are mutable C globals, which Swift 6 rejects as shared state;
   these accessors hand out copies. */
static inline Agdesc_t hookwalk_agdirected(void) { return Agdirected; }

/* Deterministic object ids for graphs read from DOT text.
   cgraph's default id discipline uses the address of a name's interned string as the object's
   id, and keeps subgraphs ordered by id: the order of clusters in the output (and sometimes
   in the layout) then depends on heap addresses, which differ from one graph to the next in a
   long-running process. This discipline numbers named objects in the order they are first
   seen (even ids) and anonymous ones from a per-graph counter (odd ids), so the same text
   always gives the same graph. */
typedef struct {
    Agraph_t *g;
    char **names;
    IDTYPE *ids;
    size_t count, capacity;
    IDTYPE nextNamed, nextAnonymous;
} hookwalk_idstate_t;

static void *hookwalk_idopen(Agraph_t *g, Agdisc_t *disc) {
    (void)disc;
    hookwalk_idstate_t *s = (hookwalk_idstate_t *)calloc(1, sizeof(hookwalk_idstate_t));
    if (!s) return NULL;
    s->g = g;
    s->nextNamed = 2;
    s->nextAnonymous = 1;
    return s;
}

static long hookwalk_idmap(void *state, int objtype, char *str, IDTYPE *id, int createflag) {
    (void)objtype;
    hookwalk_idstate_t *s = (hookwalk_idstate_t *)state;
    if (!str) {
        *id = s->nextAnonymous;
        s->nextAnonymous += 2;
        return 1;
    }
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->names[i], str) == 0) { *id = s->ids[i]; return 1; }
    }
    if (!createflag) return 0;
    if (s->count == s->capacity) {
        size_t cap = s->capacity ? s->capacity * 2 : 64;
        char **names = (char **)realloc(s->names, cap * sizeof(char *));
        if (!names) return 0;
        s->names = names;
        IDTYPE *ids = (IDTYPE *)realloc(s->ids, cap * sizeof(IDTYPE));
        if (!ids) return 0;
        s->ids = ids;
        s->capacity = cap;
    }
    char *copy = agstrdup(s->g, str);
    if (!copy) return 0;
    s->names[s->count] = copy;
    s->ids[s->count] = s->nextNamed;
    s->count++;
    *id = s->nextNamed;
    s->nextNamed += 2;
    return 1;
}

static long hookwalk_idalloc(void *state, int objtype, IDTYPE request) {
    (void)state; (void)objtype; (void)request;
    return 0;
}

/* Names stay interned until the graph closes: an id is never reused within a graph. */
static void hookwalk_idfree(void *state, int objtype, IDTYPE id) {
    (void)state; (void)objtype; (void)id;
}

static char *hookwalk_idprint(void *state, int objtype, IDTYPE id) {
    (void)objtype;
    hookwalk_idstate_t *s = (hookwalk_idstate_t *)state;
    if (id % 2 != 0) return NULL;
    for (size_t i = 0; i < s->count; i++) {
        if (s->ids[i] == id) return s->names[i];
    }
    return NULL;
}

static void hookwalk_idclose(void *state) {
    hookwalk_idstate_t *s = (hookwalk_idstate_t *)state;
    if (!s) return;
    free(s->names);
    free(s->ids);
    free(s);
}

static void hookwalk_idregister(void *state, int objtype, void *obj) {
    (void)state; (void)objtype; (void)obj;
}

typedef struct {
    const char *data;
    size_t length;
    size_t cursor;
} hookwalk_reader_t;

/* Hands the parser one line at a time, as cgraph's own memory reader does. */
static int hookwalk_memread(void *chan, char *buf, int bufsize) {
    hookwalk_reader_t *r = (hookwalk_reader_t *)chan;
    if (bufsize <= 0 || r->cursor >= r->length) return 0;
    int n = 0;
    char c;
    do {
        c = r->data[r->cursor++];
        buf[n++] = c;
    } while (c != '\n' && n < bufsize && r->cursor < r->length);
    return n;
}

static int hookwalk_putstr(void *chan, const char *str) { (void)chan; (void)str; return 0; }
static int hookwalk_flush(void *chan) { (void)chan; return 0; }

/* agmemread with the deterministic id discipline above. */
static inline Agraph_t *hookwalk_read_dot(const char *text) {
    static Agiddisc_t iddisc = {
        hookwalk_idopen, hookwalk_idmap, hookwalk_idalloc, hookwalk_idfree,
        hookwalk_idprint, hookwalk_idclose, hookwalk_idregister,
    };
    static Agiodisc_t iodisc = { hookwalk_memread, hookwalk_putstr, hookwalk_flush };
    Agdisc_t disc = { &AgMemDisc, &iddisc, &iodisc };
    hookwalk_reader_t reader = { text, strlen(text), 0 };
    return agread(&reader, &disc);
}
#endif
