// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_legacy.c - the ipchains and ipfwadm backends on IRs built by hand,
 * following ir.h's conventions (so these tests do not depend on eval).
 *
 *   test_legacy              run the tests
 *   test_legacy --write DIR  also write each script as DIR/NAME.TARGET.sh
 *                            (tests/suite-legacy.sh runs them with stubs)
 */
#include "cli.h"
#include "diag.h"
#include "ir.h"
#include "legacy.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static const char *write_dir;

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static struct loc here(unsigned line)
{
	static const struct diag_source *src;

	if (!src) {
		static const char text[] = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n"
					   "line 7\nline 8\nline 9\n";

		src = diag_add_source("unit.masq", text, sizeof(text) - 1);
	}
	return (struct loc){src, line, 1, 4};
}

static struct ir *ir_new(enum ir_level level)
{
	struct ir *ir = xcalloc(1, sizeof(*ir));

	ir->policy_path = "unit.masq";
	ir->level = level;
	ir->level_loc = here(1);
	ir->ipv6 = IR_IPV6_OPEN;
	ir->log.catchall = true;
	ir->log.rate = 5;
	ir->log.unit = IR_PER_MINUTE;
	ir->log.prefix = "masqgen: ";
	ir->log.level = "warning";
	return ir;
}

static struct ir_iface *add_iface(struct ir *ir, const char *name, enum ir_role role)
{
	struct ir_iface *f = VEC_PUSH(ir->ifaces, ir->n_ifaces, ir->cap_ifaces);

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->role = role;
	f->dynamic = role == IR_EXTERNAL;
	f->loc = here(2);
	return f;
}

static void add_net(struct ir_iface *f, uint32_t net, unsigned len, uint32_t gw)
{
	struct ir_net *n = VEC_PUSH(f->nets, f->n_nets, f->cap_nets);

	n->net = net;
	n->len = (uint8_t)len;
	n->gw = gw;
	n->loc = here(2);
}

static void add_addr(struct ir_addrs *l, uint32_t lo, uint32_t hi)
{
	struct ir_addr *a = VEC_PUSH(l->v, l->n, l->cap);

	a->lo = lo;
	a->hi = hi;
	a->loc = here(3);
}

static void add_port(struct ir_ports *l, uint8_t proto, uint16_t lo, uint16_t hi)
{
	struct ir_port *p = VEC_PUSH(l->v, l->n, l->cap);

	p->proto = proto;
	p->lo = lo;
	p->hi = hi;
	p->loc = here(3);
}

static struct ir_rule *add_rule(struct ir *ir, enum ir_chain_id ch, enum ir_rule_tag tag,
				enum ir_verdict v)
{
	struct ir_chain *c = &ir->chain[ch];
	struct ir_rule *r = VEC_PUSH(c->rules, c->n, c->cap);

	memset(r, 0, sizeof(*r));
	c->present = true;
	r->tag = tag;
	r->verdict = v;
	r->family = IR_F_IPV4;
	r->loc = here(tag == IR_T_USER ? 5 : 1);
	return r;
}

static void add_forward(struct ir *ir, const char *iif, uint8_t proto, uint16_t lo, uint16_t hi,
			uint32_t host, uint16_t to_lo)
{
	struct ir_forward *f = VEC_PUSH(ir->forwards, ir->n_forwards, ir->cap_forwards);

	memset(f, 0, sizeof(*f));
	f->iif = iif;
	f->proto = proto;
	f->lo = lo;
	f->hi = hi;
	f->to_lo = to_lo;
	f->host = host;
	f->reflect = true;
	f->loc = here(4);
}

static void add_sysctl(struct ir *ir, const char *key, const char *iface)
{
	struct ir_sysctl *s = VEC_PUSH(ir->sysctls, ir->n_sysctls, ir->cap_sysctls);

	s->key = key;
	s->value = "1";
	s->iface = iface;
	s->loc = here(6);
}

/*
 * The built-in rules of ir.h's conventions for one external and the
 * internal interfaces already added: anti-spoofing, input, forward.
 */
static void add_builtins(struct ir *ir)
{
	bool strong = ir->level == IR_STRONG;
	struct ir_rule *r;
	size_t i, j, k;

	ir->chain[IR_CH_INPUT].policy = strong ? IR_V_DROP : IR_V_ACCEPT;
	ir->chain[IR_CH_FORWARD].policy = IR_V_DROP;
	ir->chain[IR_CH_RAW].policy = IR_V_ACCEPT;
	for (i = 0; i < ir->n_ifaces && strong; i++) {
		if (ir->ifaces[i].role != IR_EXTERNAL)
			continue;
		r = add_rule(ir, IR_CH_RAW, IR_T_ANTISPOOF, IR_V_DROP);
		r->iif = ir->ifaces[i].name;
		r->log = true;
		for (j = 0; j < ir->n_ifaces; j++)
			for (k = 0; k < ir->ifaces[j].n_nets; k++) {
				const struct ir_net *n = &ir->ifaces[j].nets[k];

				add_addr(&r->saddr, n->net, n->net | (0xffffffffu >> n->len));
			}
		add_addr(&r->saddr, IP(127, 0, 0, 0), IP(127, 255, 255, 255));
		r = add_rule(ir, IR_CH_RAW, IR_T_ANTISPOOF, IR_V_DROP);
		r->iif = ir->ifaces[i].name;
		r->log = true;
		add_addr(&r->daddr, IP(127, 0, 0, 0), IP(127, 255, 255, 255));
	}
	r = add_rule(ir, IR_CH_INPUT, IR_T_LOOPBACK, IR_V_ACCEPT);
	r->iif = "lo";
	if (strong)
		add_rule(ir, IR_CH_INPUT, IR_T_INVALID, IR_V_DROP)->ct_state = IR_CT_INVALID;
	add_rule(ir, IR_CH_INPUT, IR_T_ESTABLISHED, IR_V_ACCEPT)->ct_state =
		IR_CT_ESTABLISHED | IR_CT_RELATED;
	add_rule(ir, IR_CH_FORWARD, IR_T_INVALID, IR_V_DROP)->ct_state = IR_CT_INVALID;
	add_rule(ir, IR_CH_FORWARD, IR_T_ESTABLISHED, IR_V_ACCEPT)->ct_state =
		IR_CT_ESTABLISHED | IR_CT_RELATED;
}

/* The rules that follow the user rules: LAN, DHCP, internal, forwarded, catch-all. */
static void add_builtins_tail(struct ir *ir)
{
	bool strong = ir->level == IR_STRONG;
	struct ir_rule *r;
	size_t i, j, k;

	for (i = 0; i < ir->n_ifaces && strong; i++) {
		if (ir->ifaces[i].role != IR_INTERNAL)
			continue;
		r = add_rule(ir, IR_CH_INPUT, IR_T_LAN, IR_V_ACCEPT);
		r->iif = ir->ifaces[i].name;
		for (k = 0; k < ir->ifaces[i].n_nets; k++) {
			const struct ir_net *n = &ir->ifaces[i].nets[k];

			add_addr(&r->saddr, n->net, n->net | (0xffffffffu >> n->len));
		}
	}
	for (i = 0; i < ir->n_ifaces && strong; i++) {
		if (ir->ifaces[i].role != IR_INTERNAL)
			continue;
		r = add_rule(ir, IR_CH_INPUT, IR_T_DHCP, IR_V_ACCEPT);
		r->iif = ir->ifaces[i].name;
		r->proto = IR_P_UDP;
		add_port(&r->sports, IR_P_UDP, 68, 68);
		add_port(&r->dports, IR_P_UDP, 67, 67);
	}
	if (strong)
		add_rule(ir, IR_CH_INPUT, IR_T_CATCHALL, IR_V_DROP)->log = true;
	for (i = 0; i < ir->n_ifaces; i++) {
		for (j = 0; j < ir->n_ifaces; j++) {
			if (ir->ifaces[i].role != IR_INTERNAL || ir->ifaces[j].role != IR_EXTERNAL)
				continue;
			r = add_rule(ir, IR_CH_FORWARD, IR_T_LAN, IR_V_ACCEPT);
			r->iif = ir->ifaces[i].name;
			r->oif = ir->ifaces[j].name;
		}
	}
	for (i = 0; i < ir->n_ifaces; i++) {
		for (j = 0; j < ir->n_ifaces; j++) {
			if (i == j || ir->ifaces[i].role != IR_INTERNAL ||
			    ir->ifaces[j].role != IR_INTERNAL)
				continue;
			r = add_rule(ir, IR_CH_FORWARD, IR_T_INTERNAL, IR_V_ACCEPT);
			r->iif = ir->ifaces[i].name;
			r->oif = ir->ifaces[j].name;
		}
	}
	if (ir->n_forwards)
		add_rule(ir, IR_CH_FORWARD, IR_T_FORWARDED, IR_V_ACCEPT)->ct_dnat_forward = true;
	add_rule(ir, IR_CH_FORWARD, IR_T_CATCHALL, IR_V_DROP)->log = true;
	for (i = 0; i < ir->n_ifaces; i++) {
		struct ir_snat *s;

		if (ir->ifaces[i].role != IR_EXTERNAL)
			continue;
		for (j = 0; j < ir->n_ifaces; j++) {
			if (ir->ifaces[j].role != IR_INTERNAL)
				continue;
			for (k = 0; k < ir->ifaces[j].n_nets; k++) {
				const struct ir_net *n = &ir->ifaces[j].nets[k];

				s = VEC_PUSH(ir->snats, ir->n_snats, ir->cap_snats);
				memset(s, 0, sizeof(*s));
				s->oif = ir->ifaces[i].name;
				s->to = ir->ifaces[i].dynamic ? 0 : ir->ifaces[i].addr;
				add_addr(&s->sources, n->net, n->net | (0xffffffffu >> n->len));
			}
		}
	}
}

/* The error tests expect messages: keep them off the test output. */
static int saved_stderr = -1;

static void quiet_stderr(bool quiet)
{
	int null;

	fflush(stderr);
	if (quiet) {
		saved_stderr = dup(2);
		null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		close(null);
	} else if (saved_stderr >= 0) {
		dup2(saved_stderr, 2);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* Run @emit on @ir; returns the script (caller frees) or NULL, and the error delta. */
static char *run(const char *name, const char *target, int (*emit)(const struct ir *,
								    struct strbuf *),
		 const struct ir *ir, unsigned *errors)
{
	unsigned before = diag_error_count();
	struct strbuf sb = {0};
	int rc = emit(ir, &sb);

	*errors = diag_error_count() - before;
	if (rc < 0) {
		sb_free(&sb);
		return NULL;
	}
	if (write_dir) {
		char *path = xasprintf("%s/%s.%s.sh", write_dir, name, target);

		util_write_file(path, sb.buf, sb.len);
		free(path);
	}
	return sb.buf;
}

static bool has(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p && (p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p += n;
	}
	return false;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	const char *p = text;

	while ((p = strstr(p, needle))) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* The HOWTO's Masq-Gate (LANGUAGE.md's example), strong. */
static struct ir *masq_gate(void)
{
	struct ir *ir = ir_new(IR_STRONG);
	struct ir_iface *in;
	struct ir_helper *h;
	struct ir_rule *r;

	add_iface(ir, "ppp0", IR_EXTERNAL);
	in = add_iface(ir, "eth1", IR_INTERNAL);
	add_net(in, IP(192, 168, 0, 0), 24, IP(192, 168, 0, 1));
	add_forward(ir, "ppp0", IR_P_TCP, 80, 80, IP(192, 168, 0, 10), 80);
	add_forward(ir, "ppp0", IR_P_TCP, 2222, 2222, IP(192, 168, 0, 3), 22);
	add_forward(ir, "ppp0", IR_P_UDP, 27960, 27963, IP(192, 168, 0, 4), 27960);
	add_forward(ir, "ppp0", IR_P_TCP, 2121, 2121, IP(192, 168, 0, 5), 21);
	ir->forwards[0].reflect = false;
	add_addr(&ir->forwards[0].from, IP(198, 51, 100, 0), IP(198, 51, 100, 255));
	h = VEC_PUSH(ir->helpers, ir->n_helpers, ir->cap_helpers);
	memset(h, 0, sizeof(*h));
	h->name = "ftp";
	h->kname = "ftp";
	h->legacy_module = "ip_masq_ftp";
	h->modern = h->legacy = true;
	add_port(&h->ports, IR_P_TCP, 21, 21);
	h->loc = here(3);
	add_builtins(ir);
	r = add_rule(ir, IR_CH_INPUT, IR_T_USER, IR_V_ACCEPT);
	r->proto = IR_P_TCP;
	add_port(&r->dports, IR_P_TCP, 22, 22);
	add_addr(&r->saddr, IP(198, 51, 100, 0), IP(198, 51, 100, 255));
	r = add_rule(ir, IR_CH_INPUT, IR_T_USER, IR_V_ACCEPT);
	r->proto = IR_P_ICMP;
	r->icmp_types = xmalloc(1);
	r->icmp_types[0] = 8;
	r->n_icmp = r->cap_icmp = 1;
	r = add_rule(ir, IR_CH_INPUT, IR_T_USER, IR_V_DROP);
	r->proto = IR_P_TCP;
	add_port(&r->dports, IR_P_TCP, 8080, 8080);
	add_addr(&r->saddr, IP(10, 0, 0, 1), IP(10, 0, 0, 9));
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_DROP);
	add_addr(&r->saddr, IP(198, 51, 100, 66), IP(198, 51, 100, 66));
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_ACCEPT);
	r->proto = IR_P_TCP;
	add_port(&r->dports, IR_P_TCP, 20, 22);
	add_addr(&r->saddr, IP(198, 51, 0, 0), IP(198, 51, 255, 255));
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_REJECT);
	add_addr(&r->daddr, IP(203, 0, 113, 66), IP(203, 0, 113, 66));
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_ACCEPT);
	r->proto = IR_P_TCP;
	add_port(&r->dports, IR_P_TCP, 25, 25);
	add_addr(&r->daddr, IP(192, 168, 0, 25), IP(192, 168, 0, 25));
	add_builtins_tail(ir);
	ir->timeouts.tcp = 7200;
	ir->timeouts.tcpfin = 10;
	ir->timeouts.udp = 60;
	add_sysctl(ir, "net.ipv4.ip_forward", NULL);
	add_sysctl(ir, "net.ipv4.ip_dynaddr", NULL);
	return ir;
}

static void test_ipchains_masq_gate(void)
{
	struct ir *ir = masq_gate();
	unsigned errors;
	char *s = run("masq-gate", "ipchains", ipchains_emit, ir, &errors);

	CHECK(s && errors == 0);
	if (!s)
		goto out;
	CHECK(has(s, "2.2.*) ;;"));
	CHECK(has(s, "EXTIF='ppp0'"));
	CHECK(has(s, "INTNET='192.168.0.0/24'"));
	CHECK(has(s, "\"$MODPROBE\" ip_masq_ftp ports=21,2121 || "
		     "echo \"   warning: ip_masq_ftp did not load\" >&2"));
	CHECK(has(s, "\"$IPCHAINS\" -P input DENY"));
	CHECK(has(s, "\"$IPCHAINS\" -M -S 7200 10 60"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -s \"$INTNET\" -l -j DENY"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp -s '198.51.100.0/24' "
		     "-d \"$EXTIP\" 80 -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp -d \"$EXTIP\" 80 -j DENY"));
	/* forward rules on forwarded ports, in public port numbers, before the forward */
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp -s '198.51.100.66' "
		     "-d \"$EXTIP\" 80 -j DENY"));
	CHECK(strstr(s, "-s '198.51.100.66' -d \"$EXTIP\" 80 -j DENY") <
	      strstr(s, "-s '198.51.100.0/24' -d \"$EXTIP\" 80 -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p udp -s '198.51.100.66' "
		     "-d \"$EXTIP\" 27960:27963 -j DENY"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp -s '198.51.0.0/16' "
		     "-d \"$EXTIP\" 2222 -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp -s '198.51.0.0/16' "
		     "-d \"$EXTIP\" 2121 -j ACCEPT"));
	/* an allow keeps to the forward's from: 198.51.0.0/16 within 198.51.100.0/24 */
	CHECK(!strstr(s, "-s '198.51.0.0/16' -d \"$EXTIP\" 80"));
	CHECK(has(s, "\"$IPCHAINS\" -A forward -s '198.51.100.66' -j DENY"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp -d 0.0.0.0/0 61000:65095 "
		     "-j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p tcp ! -y -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -p udp -s 0.0.0.0/0 67 "
		     "-d 0.0.0.0/0 68 -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -p icmp --icmp-type echo-request -j ACCEPT"));
	/* 10.0.0.1-10.0.0.9 is four prefixes, times two gateway addresses */
	CHECK(count(s, "-p tcp -s '10.0.0.") == 8);
	CHECK(has(s, "\"$IPCHAINS\" -A input -p tcp -s '10.0.0.8/31' -d \"$INTIP\" 8080 -j DENY"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -p tcp -d '192.168.0.25' 25 -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$INTIF\" -s \"$INTNET\" -j ACCEPT"));
	CHECK(has(s, "\"$IPCHAINS\" -A input -l -j DENY"));
	CHECK(has(s, "\"$IPCHAINS\" -A forward -d '203.0.113.66' -j REJECT"));
	CHECK(has(s, "\"$IPCHAINS\" -A forward -i \"$EXTIF\" -s \"$INTNET\" -j MASQ"));
	CHECK(has(s, "\"$IPCHAINS\" -A forward -i \"$EXTIF\" -p udp -s '192.168.0.4' "
		     "27960:27963 -j MASQ"));
	CHECK(has(s, "\"$IPMASQADM\" portfw -f"));
	CHECK(has(s, "\"$IPMASQADM\" portfw -a -P tcp -L \"$EXTIP\" 2222 -R '192.168.0.3' 22"));
	CHECK(count(s, "portfw -a -P udp") == 4);
	CHECK(has(s, "\"$IPMASQADM\" portfw -a -P udp -L \"$EXTIP\" 27963 -R '192.168.0.4' 27963"));
	CHECK(has(s, "echo '1' >\"$PROC/sys/net/ipv4/ip_forward\""));
	CHECK(has(s, "echo '1' >\"$PROC/sys/net/ipv4/ip_dynaddr\""));
	/* forwarding opens after the rules */
	CHECK(strstr(s, "ip_forward\"") > strstr(s, "-l -j DENY"));
	free(s);
out:
	ir_free(ir);
}

static void test_ipfwadm_masq_gate(void)
{
	struct ir *ir = masq_gate();
	unsigned errors;
	char *s = run("masq-gate", "ipfwadm", ipfwadm_emit, ir, &errors);

	CHECK(s && errors == 0);
	if (!s)
		goto out;
	CHECK(has(s, "2.0.*) ;;"));
	CHECK(has(s, "\"$IPFWADM\" -I -p deny"));
	CHECK(has(s, "\"$IPFWADM\" -M -s 7200 10 60"));
	CHECK(has(s, "\"$IPFWADM\" -I -a deny -W \"$EXTIF\" -S \"$INTNET\" -o"));
	CHECK(has(s, "\"$IPFWADM\" -I -a accept -W \"$EXTIF\" -P tcp -D 0.0.0.0/0 60000:64095"));
	CHECK(has(s, "\"$IPFWADM\" -I -a accept -W \"$EXTIF\" -P tcp -k"));
	CHECK(has(s, "\"$IPFWADM\" -I -a accept -P icmp -S 0.0.0.0/0 8"));
	CHECK(has(s, "\"$IPFWADM\" -F -a m -W \"$EXTIF\" -S \"$INTNET\""));
	CHECK(has(s, "\"$IPPORTFW\" -C"));
	CHECK(has(s, "\"$IPPORTFW\" -A -t \"$EXTIP\"/2222 -R '192.168.0.3'/22"));
	free(s);
out:
	ir_free(ir);
}

/* HOWTO 3.4.2/6.5: simple, static external, two LANs, no forwards */
static void test_simple_two_lans(void)
{
	struct ir *ir = ir_new(IR_SIMPLE);
	struct ir_iface *f;
	unsigned errors;
	char *s, *t;

	f = add_iface(ir, "eth0", IR_EXTERNAL);
	f->dynamic = false;
	f->addr = IP(203, 0, 113, 5);
	add_net(add_iface(ir, "eth1", IR_INTERNAL), IP(192, 168, 0, 0), 24, 0);
	add_net(add_iface(ir, "eth2", IR_INTERNAL), IP(192, 168, 1, 0), 24, 0);
	add_builtins(ir);
	add_builtins_tail(ir);
	add_sysctl(ir, "net.ipv4.ip_forward", NULL);
	s = run("two-lans", "ipchains", ipchains_emit, ir, &errors);
	CHECK(s && errors == 0);
	t = run("two-lans", "ipfwadm", ipfwadm_emit, ir, &errors);
	CHECK(t && errors == 0);
	if (s && t) {
		CHECK(!strstr(s, "EXTIP"));
		CHECK(has(s, "\"$IPCHAINS\" -P input ACCEPT"));
		CHECK(has(s, "\"$IPCHAINS\" -A input -i \"$EXTIF\" -s \"$INTNET2\" -j DENY"));
		CHECK(has(s, "\"$IPCHAINS\" -A forward -i \"$INTIF2\" -s \"$INTNET\" -j ACCEPT"));
		CHECK(has(s, "\"$IPCHAINS\" -A forward -i \"$INTIF\" -s \"$INTNET2\" -j ACCEPT"));
		CHECK(has(s, "\"$IPCHAINS\" -A forward -i \"$EXTIF\" -s \"$INTNET2\" -j MASQ"));
		CHECK(has(s, "\"$IPMASQADM\" portfw -f 2>/dev/null || :"));
		CHECK(!strstr(s, "MODPROBE"));
		CHECK(!strstr(s, "IFCONFIG"));
		CHECK(has(t, "\"$IPFWADM\" -F -a accept -W \"$INTIF2\" -S \"$INTNET\""));
		CHECK(has(t, "\"$IPPORTFW\" -C 2>/dev/null || :"));
	}
	free(s);
	free(t);
	ir_free(ir);
}

/* What the eras cannot express: each an error, and no script. */
static void test_errors(void)
{
	struct ir *ir = ir_new(IR_STRONG);
	struct ir_nat1to1 *n;
	struct ir_helper *h;
	struct ir_rule *r;
	unsigned errors;
	char *s;

	add_iface(ir, "ppp+", IR_EXTERNAL);
	add_net(add_iface(ir, "eth1", IR_INTERNAL), IP(192, 168, 0, 0), 24, 0);
	add_iface(ir, "docker0", IR_PASSTHROUGH);
	n = VEC_PUSH(ir->nat1to1, ir->n_nat1to1, ir->cap_nat1to1);
	n->iif = "ppp+";
	n->public_addr = IP(203, 0, 113, 7);
	n->private_addr = IP(192, 168, 0, 7);
	n->loc = here(7);
	h = VEC_PUSH(ir->helpers, ir->n_helpers, ir->cap_helpers);
	memset(h, 0, sizeof(*h));
	h->name = "tftp";
	h->modern = true;
	h->loc = here(3);
	ir->clamp.enabled = true;
	ir->clamp.loc = here(8);
	add_forward(ir, "ppp+", IR_P_GRE, 0, 0, IP(192, 168, 0, 9), 0);
	add_forward(ir, "ppp+", IR_P_TCP, 80, 80, IP(192, 168, 0, 9), 80);
	add_builtins(ir);
	r = add_rule(ir, IR_CH_INPUT, IR_T_USER, IR_V_DROP);	/* needs INTIP, EXTIP */
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_DROP);
	r->iif = "eth1";
	r = add_rule(ir, IR_CH_OUTPUT, IR_T_USER, IR_V_REJECT);
	r->proto = IR_P_TCP;
	add_builtins_tail(ir);
	add_sysctl(ir, "net.ipv4.conf.all.rp_filter", NULL);
	quiet_stderr(true);
	s = run("errors", "ipchains", ipchains_emit, ir, &errors);
	CHECK(!s);
	/* 1:1, tftp, clamp, passthrough, gre, portfw on ppp+, deny input x2, on, output */
	CHECK(errors == 10);
	s = run("errors", "ipfwadm", ipfwadm_emit, ir, &errors);
	CHECK(!s);
	quiet_stderr(false);
	/* the same, plus the wildcard itself and rp_filter */
	CHECK(errors == 12);
	ir_free(ir);
}

/* Helper ports: at most 12 per ip_masq module. */
static void test_helper_ports(void)
{
	struct ir *ir = ir_new(IR_SIMPLE);
	struct ir_helper *h;
	unsigned errors;
	char *s;

	add_iface(ir, "ppp0", IR_EXTERNAL);
	add_net(add_iface(ir, "eth1", IR_INTERNAL), IP(192, 168, 0, 0), 24, 0);
	h = VEC_PUSH(ir->helpers, ir->n_helpers, ir->cap_helpers);
	memset(h, 0, sizeof(*h));
	h->name = "irc";
	h->legacy_module = "ip_masq_irc";
	h->modern = h->legacy = true;
	h->loc = here(3);
	add_port(&h->ports, IR_P_TCP, 6660, 6671);
	add_builtins(ir);
	add_builtins_tail(ir);
	add_sysctl(ir, "net.ipv4.ip_forward", NULL);
	s = run("irc", "ipchains", ipchains_emit, ir, &errors);
	CHECK(s && errors == 0);
	CHECK(s && has(s, "\"$MODPROBE\" ip_masq_irc ports=6660,6661,6662,6663,6664,6665,6666,"
			  "6667,6668,6669,6670,6671 || echo \"   warning: ip_masq_irc did not "
			  "load\" >&2"));
	free(s);
	h->ports.v[0].hi = 6672;
	quiet_stderr(true);
	s = run("irc", "ipchains", ipchains_emit, ir, &errors);
	quiet_stderr(false);
	CHECK(!s && errors == 1);
	ir_free(ir);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		write_dir = argv[2];
	diag_quiet_warnings(true);
	RUN(test_ipchains_masq_gate);
	RUN(test_ipfwadm_masq_gate);
	RUN(test_simple_two_lans);
	RUN(test_errors);
	RUN(test_helper_ports);
	UNIT_EXIT();
}
