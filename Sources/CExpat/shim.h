#ifndef SWIFT_XMPP_CEXPAT_SHIM_H
#define SWIFT_XMPP_CEXPAT_SHIM_H
#include <expat.h>
#endif
