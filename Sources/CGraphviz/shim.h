#ifndef HOOKWALK_CGRAPHVIZ_SHIM_H
#define HOOKWALK_CGRAPHVIZ_SHIM_H
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>

/* Agdirected and friends are mutable C globals, which Swift 6 rejects as shared state;
   these accessors hand out copies. */
static inline Agdesc_t hookwalk_agdirected(void) { return Agdirected; }
#endif
