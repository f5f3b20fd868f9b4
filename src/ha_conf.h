/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ha_conf.h - the configuration files of a cluster node's daemons
 * (LANGUAGE.md "Cluster"): keepalived.conf and conntrackd.conf. Both are
 * an error (diag) for a policy without a `cluster` line.
 */
#ifndef MASQGEN_HA_CONF_H
#define MASQGEN_HA_CONF_H

#include "ir.h"
#include "util.h"

/* Where Debian installs the daemons: the hooks run conntrackd by this path. */
#define HA_CONNTRACKD "/usr/sbin/conntrackd"
#define HA_KEEPALIVED "/usr/sbin/keepalived"

/* keepalived.conf: the VRRP instance, its virtual addresses and notify hooks. */
int ha_conf_keepalived(const struct ir *ir, struct strbuf *out);

/* conntrackd.conf: FTFW sync with the peer, the node's own connections left out. */
int ha_conf_conntrackd(const struct ir *ir, struct strbuf *out);

#endif
