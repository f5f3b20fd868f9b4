// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_legacy.c - validate recorded command lines against what the
 * Linux 2.2/2.0 tools accept: ipchains 1.3.10, ipfwadm 2.3.0, ipmasqadm
 * portfw, ipportfw, and the few other programs the generated scripts run
 * (modprobe, depmod, ifconfig, uname).
 *
 * Input: one invocation a line, the program name then each argument,
 * separated by tabs (tests/legacy/stub writes them). Every problem is
 * printed as "FILE:LINE: PROGRAM: message"; exit 1 if there was any, 2 on
 * a usage error.
 *
 * The grammars are written from the tools' manuals: an option the tool
 * does not have, a missing argument, or a combination the tool or kernel
 * refuses (MASQ outside the forward chain, portfw without -R, ...) fails.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 128

struct inv {
	const char *file;
	unsigned line;
	int argc;
	char *argv[MAX_ARGS];
	int errors;
};

static void bad(struct inv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(struct inv *v, const char *fmt, ...)
{
	va_list ap;

	v->errors++;
	fprintf(stderr, "%s:%u: %s: ", v->file, v->line, v->argv[0]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool is_number(const char *s, unsigned long max)
{
	char *end;
	unsigned long n;

	if (!*s || !isdigit((unsigned char)*s))
		return false;
	n = strtoul(s, &end, 10);
	return !*end && n <= max;
}

/* a.b.c.d, each part 0-255 */
static bool is_quad(const char *s)
{
	int parts = 0;

	while (parts < 4) {
		const char *start = s;
		unsigned long n = 0;

		while (isdigit((unsigned char)*s) && s - start < 3)
			n = n * 10 + (unsigned long)(*s++ - '0');
		if (s == start || n > 255)
			return false;
		parts++;
		if (parts < 4 && *s++ != '.')
			return false;
	}
	return *s == 0;
}

/* ADDR[/MASK]: a dotted quad (or "0", as in "0/0"), a mask of 0-32 or a dotted quad */
static bool is_address(const char *s)
{
	char buf[64];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = 0;
		if (!is_number(slash, 32) && !is_quad(slash))
			return false;
	}
	return is_quad(buf) || (slash && strcmp(buf, "0") == 0);
}

static bool is_port(const char *s)
{
	return is_number(s, 65535) && strtoul(s, NULL, 10) > 0;
}

/* PORT, PORT:PORT, :PORT or PORT: (0 is a legal bound in a range) */
static bool is_port_spec(const char *s)
{
	char buf[32];
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon)
		return is_number(buf, 65535);
	*colon++ = 0;
	if (!*buf && !*colon)
		return false;
	if (*buf && !is_number(buf, 65535))
		return false;
	if (*colon && !is_number(colon, 65535))
		return false;
	return !*buf || !*colon || strtoul(buf, NULL, 10) <= strtoul(colon, NULL, 10);
}

/* An interface name: 1-15 characters; @wildcard allows a final '+'. */
static bool is_iface(const char *s, bool wildcard)
{
	size_t n = strlen(s), i;

	if (!n || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+' && i == n - 1 && wildcard)
			continue;
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static const char *arg(struct inv *v, int *i, const char *opt)
{
	if (*i + 1 >= v->argc) {
		bad(v, "option '%s' needs an argument", opt);
		return NULL;
	}
	return v->argv[++*i];
}

/* The next argument if it is not an option (an optional argument). */
static const char *opt_arg(struct inv *v, int *i)
{
	if (*i + 1 < v->argc && v->argv[*i + 1][0] != '-')
		return v->argv[++*i];
	return NULL;
}

/* ------------------------------------------------------------------ ipchains */

static const char *const ipchains_icmp[] = {
	"echo-reply", "destination-unreachable", "network-unreachable", "host-unreachable",
	"protocol-unreachable", "port-unreachable", "fragmentation-needed",
	"source-route-failed", "network-unknown", "host-unknown", "network-prohibited",
	"host-prohibited", "TOS-network-unreachable", "TOS-host-unreachable",
	"communication-prohibited", "host-precedence-violation", "precedence-cutoff",
	"source-quench", "redirect", "network-redirect", "host-redirect",
	"TOS-network-redirect", "TOS-host-redirect", "echo-request", "router-advertisement",
	"router-solicitation", "time-exceeded", "ttl-zero-during-transit",
	"ttl-zero-during-reassembly", "parameter-problem", "ip-header-bad",
	"required-option-missing", "timestamp-request", "timestamp-reply",
	"address-mask-request", "address-mask-reply", NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool builtin_chain(const char *c)
{
	return strcmp(c, "input") == 0 || strcmp(c, "output") == 0 || strcmp(c, "forward") == 0;
}

/* A chain name: built-in, or a user chain of at most 8 characters. */
static bool ipchains_chain(const char *c)
{
	size_t n = strlen(c);

	return n && n <= 8 && c[0] != '-' && c[0] != '!';
}

struct ipchains_rule {
	const char *proto;
	bool ports, icmp_type, syn, frag, redirect_port;
	const char *target;
	int rule_opts;
};

/* -s/-d ADDR [[!] PORT] */
static void ipchains_addr(struct inv *v, int *i, const char *opt, struct ipchains_rule *r)
{
	const char *a = arg(v, i, opt);

	if (!a)
		return;
	if (strcmp(a, "!") == 0 && !(a = arg(v, i, opt)))
		return;
	if (!is_address(a))
		bad(v, "'%s' is not an address for %s", a, opt);
	if (*i + 1 < v->argc && strcmp(v->argv[*i + 1], "!") == 0 && *i + 2 < v->argc &&
	    v->argv[*i + 2][0] != '-')
		++*i;
	a = opt_arg(v, i);
	if (!a)
		return;
	r->ports = true;
	if (!is_port_spec(a))
		bad(v, "'%s' is not a port or port range", a);
}

static void ipchains_check_rule(struct inv *v, const char *cmd, const char *chain,
				struct ipchains_rule *r)
{
	bool tcp_udp = r->proto && (strcmp(r->proto, "tcp") == 0 || strcmp(r->proto, "udp") == 0 ||
				    strcmp(r->proto, "6") == 0 || strcmp(r->proto, "17") == 0);
	bool icmp = r->proto && (strcmp(r->proto, "icmp") == 0 || strcmp(r->proto, "1") == 0);
	bool tcp = r->proto && (strcmp(r->proto, "tcp") == 0 || strcmp(r->proto, "6") == 0);

	if (r->ports && !tcp_udp && !icmp)
		bad(v, "ports need -p tcp, udp or icmp");
	if (r->icmp_type && !icmp)
		bad(v, "--icmp-type needs -p icmp");
	if (r->syn && !tcp)
		bad(v, "-y needs -p tcp");
	if (r->syn && r->frag)
		bad(v, "-y and -f cannot be combined");
	if (!r->target)
		return;
	if (strcmp(r->target, "MASQ") == 0 && (strcmp(chain, "input") == 0 ||
					       strcmp(chain, "output") == 0))
		bad(v, "-j MASQ is legal only in the forward chain and user chains, not %s", chain);
	if (strcmp(r->target, "REDIRECT") == 0 && (strcmp(chain, "forward") == 0 ||
						   strcmp(chain, "output") == 0))
		bad(v, "-j REDIRECT is legal only in the input chain and user chains, not %s",
		    chain);
	if (r->redirect_port && strcmp(r->target, "REDIRECT") != 0)
		bad(v, "only -j REDIRECT takes a port");
	(void)cmd;
}

static bool ipchains_target(const char *t)
{
	static const char *const targets[] = {"ACCEPT", "DENY", "REJECT", "MASQ", "REDIRECT",
					      "RETURN", NULL};

	return in_list(t, targets) || (ipchains_chain(t) && !builtin_chain(t) &&
				       !isupper((unsigned char)t[0]));
}

static void check_ipchains(struct inv *v)
{
	struct ipchains_rule r = {0};
	const char *cmd = NULL, *chain = NULL, *a;
	bool masq = false, set = false, list = false, zero = false, negate = false;
	int i, n_cmd = 0;

	for (i = 1; i < v->argc; i++) {
		const char *o = v->argv[i];

		if (strcmp(o, "!") == 0) {
			negate = true;
			continue;
		}
		if (negate && strcmp(o, "-y") && strcmp(o, "--syn") && strcmp(o, "-f") &&
		    strcmp(o, "--fragment"))
			bad(v, "'!' cannot come before '%s'", o);
		negate = false;
		if (!strcmp(o, "-A") || !strcmp(o, "--append") || !strcmp(o, "-C") ||
		    !strcmp(o, "--check") || !strcmp(o, "-N") || !strcmp(o, "--new-chain")) {
			cmd = o;
			n_cmd++;
			chain = arg(v, &i, o);
			if (chain && !ipchains_chain(chain))
				bad(v, "'%s' is not a chain name", chain);
		} else if (!strcmp(o, "-D") || !strcmp(o, "--delete") || !strcmp(o, "-I") ||
			   !strcmp(o, "--insert")) {
			cmd = o;
			n_cmd++;
			chain = arg(v, &i, o);
			if ((a = opt_arg(v, &i)) && !is_number(a, 65535))
				bad(v, "'%s' is not a rule number", a);
		} else if (!strcmp(o, "-R") || !strcmp(o, "--replace")) {
			cmd = o;
			n_cmd++;
			chain = arg(v, &i, o);
			if ((a = arg(v, &i, o)) && !is_number(a, 65535))
				bad(v, "'%s' is not a rule number", a);
		} else if (!strcmp(o, "-L") || !strcmp(o, "--list")) {
			list = true;
			chain = opt_arg(v, &i);
		} else if (!strcmp(o, "-Z") || !strcmp(o, "--zero")) {
			zero = true;
			chain = opt_arg(v, &i);
		} else if (!strcmp(o, "-F") || !strcmp(o, "--flush") || !strcmp(o, "-X") ||
			   !strcmp(o, "--delete-chain")) {
			cmd = o;
			n_cmd++;
			chain = opt_arg(v, &i);
			if (chain && !ipchains_chain(chain))
				bad(v, "'%s' is not a chain name", chain);
		} else if (!strcmp(o, "-P") || !strcmp(o, "--policy")) {
			cmd = o;
			n_cmd++;
			chain = arg(v, &i, o);
			a = arg(v, &i, o);
			if (chain && !builtin_chain(chain))
				bad(v, "only the built-in chains have a policy, not '%s'", chain);
			if (a && strcmp(a, "ACCEPT") && strcmp(a, "DENY") && strcmp(a, "REJECT") &&
			    strcmp(a, "MASQ"))
				bad(v, "'%s' is not a policy (ACCEPT, DENY, REJECT, MASQ)", a);
			if (a && chain && !strcmp(a, "MASQ") && strcmp(chain, "forward"))
				bad(v, "MASQ is a policy only for the forward chain");
		} else if (!strcmp(o, "-M") || !strcmp(o, "--masquerading")) {
			masq = true;
		} else if (!strcmp(o, "-S") || !strcmp(o, "--set")) {
			int k;

			set = true;
			for (k = 0; k < 3; k++)
				if ((a = arg(v, &i, o)) && !is_number(a, 0xffffffffUL))
					bad(v, "'%s' is not a timeout in seconds", a);
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			cmd = o;
			n_cmd++;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--protocol")) {
			r.rule_opts++;
			if ((a = arg(v, &i, o)) && !strcmp(a, "!"))
				a = arg(v, &i, o);
			if (a && strcmp(a, "tcp") && strcmp(a, "udp") && strcmp(a, "icmp") &&
			    strcmp(a, "all") && !is_number(a, 255))
				bad(v, "'%s' is not a protocol", a);
			r.proto = a;
		} else if (!strcmp(o, "-s") || !strcmp(o, "--source") || !strcmp(o, "-d") ||
			   !strcmp(o, "--destination")) {
			r.rule_opts++;
			ipchains_addr(v, &i, o, &r);
		} else if (!strcmp(o, "--sport") || !strcmp(o, "--source-port") ||
			   !strcmp(o, "--dport") || !strcmp(o, "--destination-port")) {
			r.rule_opts++;
			r.ports = true;
			if ((a = arg(v, &i, o)) && !strcmp(a, "!"))
				a = arg(v, &i, o);
			if (a && !is_port_spec(a))
				bad(v, "'%s' is not a port or port range", a);
		} else if (!strcmp(o, "--icmp-type")) {
			r.rule_opts++;
			r.icmp_type = true;
			if ((a = arg(v, &i, o)) && !strcmp(a, "!"))
				a = arg(v, &i, o);
			if (a && !in_list(a, ipchains_icmp) && !is_number(a, 255))
				bad(v, "'%s' is not an ICMP type", a);
		} else if (!strcmp(o, "-i") || !strcmp(o, "--interface")) {
			r.rule_opts++;
			if ((a = arg(v, &i, o)) && !strcmp(a, "!"))
				a = arg(v, &i, o);
			if (a && !is_iface(a, true))
				bad(v, "'%s' is not an interface name", a);
		} else if (!strcmp(o, "-j") || !strcmp(o, "--jump")) {
			r.rule_opts++;
			r.target = arg(v, &i, o);
			if (r.target && !ipchains_target(r.target))
				bad(v, "'%s' is not a target", r.target);
			if ((a = opt_arg(v, &i))) {
				r.redirect_port = true;
				if (!is_port(a))
					bad(v, "'%s' is not a port", a);
			}
		} else if (!strcmp(o, "-y") || !strcmp(o, "--syn")) {
			r.rule_opts++;
			r.syn = true;
		} else if (!strcmp(o, "-f") || !strcmp(o, "--fragment")) {
			r.rule_opts++;
			r.frag = true;
		} else if (!strcmp(o, "-l") || !strcmp(o, "--log") || !strcmp(o, "-b") ||
			   !strcmp(o, "--bidirectional")) {
			r.rule_opts++;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			r.rule_opts++;
			if ((a = opt_arg(v, &i)) && !is_number(a, 65535))
				bad(v, "'%s' is not a size", a);
		} else if (!strcmp(o, "-m") || !strcmp(o, "--mark")) {
			r.rule_opts++;
			arg(v, &i, o);
		} else if (!strcmp(o, "-t") || !strcmp(o, "--TOS")) {
			r.rule_opts++;
			arg(v, &i, o);
			arg(v, &i, o);
		} else if (!strcmp(o, "-v") || !strcmp(o, "--verbose") || !strcmp(o, "-n") ||
			   !strcmp(o, "--numeric") || !strcmp(o, "-x") || !strcmp(o, "--exact") ||
			   !strcmp(o, "--line-numbers") || !strcmp(o, "--no-warnings")) {
			/* display options */
		} else {
			bad(v, "unknown option or stray argument '%s'", o);
		}
	}
	if (negate)
		bad(v, "'!' at the end");
	if (masq) {
		if (n_cmd || r.rule_opts || list + set != 1)
			bad(v, "-M takes exactly one of -L and -S, and nothing else");
		return;
	}
	if (set)
		bad(v, "-S is legal only with -M");
	if (list || zero) {
		if (n_cmd || r.rule_opts)
			bad(v, "-L and -Z take no rule");
		return;
	}
	if (n_cmd != 1) {
		bad(v, n_cmd ? "more than one command" : "no command");
		return;
	}
	if (!strcmp(cmd, "-A") || !strcmp(cmd, "-I") || !strcmp(cmd, "-R") || !strcmp(cmd, "-C") ||
	    (!strcmp(cmd, "-D") && r.rule_opts)) {
		if (chain)
			ipchains_check_rule(v, cmd, chain, &r);
		if (!strcmp(cmd, "-C") && !r.rule_opts)
			bad(v, "-C needs a packet to check");
	} else if (r.rule_opts) {
		bad(v, "'%s' takes no rule options", cmd);
	}
}

/* ------------------------------------------------------------------- ipfwadm */

/* A policy name or a unique prefix of one; returns it, or NULL. */
static const char *ipfwadm_policy(const char *s)
{
	static const char *const names[] = {"accept", "deny", "reject", "masquerade", NULL};
	const char *found = NULL;
	int i;

	for (i = 0; names[i]; i++)
		if (*s && strncmp(names[i], s, strlen(s)) == 0) {
			if (found)
				return NULL;
			found = names[i];
		}
	return found;
}

/* -S/-D ADDR [PORT ...]: returns the number of ports, counts ranges in *ranges */
static int ipfwadm_addr(struct inv *v, int *i, const char *opt, int *ranges)
{
	const char *a = arg(v, i, opt);
	int n = 0;

	*ranges = 0;
	if (!a)
		return 0;
	if (!is_address(a))
		bad(v, "'%s' is not an address for %s", a, opt);
	while ((a = opt_arg(v, i))) {
		if (!is_port_spec(a)) {
			bad(v, "'%s' is not a port or port range", a);
			continue;
		}
		if (strchr(a, ':')) {
			if (n)
				bad(v, "a port range must come first in %s", opt);
			++*ranges;
		}
		n++;
	}
	return n;
}

static void check_ipfwadm(struct inv *v)
{
	const char *cat = NULL, *cmd = NULL, *policy = NULL, *proto = NULL, *a;
	int n_cat = 0, n_cmd = 0, rule_opts = 0, sports = 0, dports = 0, ranges, i;
	bool ack = false, syn = false, masq_opt = false, redir = false;

	for (i = 1; i < v->argc; i++) {
		const char *o = v->argv[i];

		if (!strcmp(o, "-I") || !strcmp(o, "-O") || !strcmp(o, "-F") || !strcmp(o, "-M")) {
			cat = o;
			n_cat++;
		} else if (!strcmp(o, "-A")) {
			cat = o;
			n_cat++;
			if ((a = opt_arg(v, &i)) && strcmp(a, "in") && strcmp(a, "out") &&
			    strcmp(a, "both"))
				bad(v, "'%s' is not an accounting direction", a);
		} else if (!strcmp(o, "-a") || !strcmp(o, "-i") || !strcmp(o, "-d") ||
			   !strcmp(o, "-p")) {
			cmd = o;
			n_cmd++;
			a = !strcmp(o, "-p") ? arg(v, &i, o) : opt_arg(v, &i);
			if (a && !(policy = ipfwadm_policy(a)))
				bad(v, "'%s' is not a policy (accept, deny, reject, masquerade)", a);
		} else if (!strcmp(o, "-l") || !strcmp(o, "-z") || !strcmp(o, "-f") ||
			   !strcmp(o, "-c") || !strcmp(o, "-h")) {
			cmd = o;
			n_cmd++;
		} else if (!strcmp(o, "-s")) {
			int k;

			cmd = o;
			n_cmd++;
			for (k = 0; k < 3; k++)
				if ((a = arg(v, &i, o)) && !is_number(a, 0xffffffffUL))
					bad(v, "'%s' is not a timeout in seconds", a);
		} else if (!strcmp(o, "-P")) {
			rule_opts++;
			proto = arg(v, &i, o);
			if (proto && strcmp(proto, "tcp") && strcmp(proto, "udp") &&
			    strcmp(proto, "icmp") && strcmp(proto, "all"))
				bad(v, "'%s' is not a protocol (tcp, udp, icmp, all)", proto);
		} else if (!strcmp(o, "-S")) {
			rule_opts++;
			sports += ipfwadm_addr(v, &i, o, &ranges);
		} else if (!strcmp(o, "-D")) {
			rule_opts++;
			dports += ipfwadm_addr(v, &i, o, &ranges);
		} else if (!strcmp(o, "-V")) {
			rule_opts++;
			if ((a = arg(v, &i, o)) && !is_quad(a))
				bad(v, "'%s' is not an interface address", a);
		} else if (!strcmp(o, "-W")) {
			rule_opts++;
			if ((a = arg(v, &i, o)) && !is_iface(a, false))
				bad(v, "'%s' is not an interface name (ipfwadm has no wildcards)", a);
		} else if (!strcmp(o, "-k")) {
			rule_opts++;
			ack = true;
		} else if (!strcmp(o, "-y")) {
			rule_opts++;
			syn = true;
		} else if (!strcmp(o, "-m")) {
			rule_opts++;
			masq_opt = true;
		} else if (!strcmp(o, "-r")) {
			rule_opts++;
			redir = true;
			if ((a = opt_arg(v, &i)) && !is_port(a))
				bad(v, "'%s' is not a port", a);
		} else if (!strcmp(o, "-t")) {
			rule_opts++;
			arg(v, &i, o);
			arg(v, &i, o);
		} else if (!strcmp(o, "-b") || !strcmp(o, "-o")) {
			rule_opts++;
		} else if (!strcmp(o, "-e") || !strcmp(o, "-n") || !strcmp(o, "-v") ||
			   !strcmp(o, "-x")) {
			/* display options */
		} else {
			bad(v, "unknown option or stray argument '%s'", o);
		}
	}
	if (n_cat != 1) {
		bad(v, n_cat ? "more than one category (-A, -I, -O, -F, -M)"
			     : "no category (-A, -I, -O, -F, -M)");
		return;
	}
	if (n_cmd != 1) {
		bad(v, n_cmd ? "more than one command" : "no command");
		return;
	}
	if (!strcmp(cat, "-M")) {
		if ((strcmp(cmd, "-l") && strcmp(cmd, "-s")) || rule_opts)
			bad(v, "-M takes only -l or -s");
		return;
	}
	if (!strcmp(cmd, "-s"))
		bad(v, "-s is legal only with -M");
	if (policy && !strcmp(policy, "masquerade") && strcmp(cat, "-F"))
		bad(v, "masquerade is a policy only for the forwarding firewall (-F)");
	if ((!strcmp(cmd, "-a") || !strcmp(cmd, "-i") || !strcmp(cmd, "-d")) && !policy &&
	    strcmp(cat, "-A"))
		bad(v, "'%s' needs a policy", cmd);
	if (strcmp(cmd, "-a") && strcmp(cmd, "-i") && strcmp(cmd, "-d") && strcmp(cmd, "-c")) {
		if (rule_opts)
			bad(v, "'%s' takes no rule options", cmd);
		return;
	}
	if ((sports || dports) && !(proto && strcmp(proto, "all")))
		bad(v, "ports need -P tcp, udp or icmp");
	if (dports && proto && !strcmp(proto, "icmp"))
		bad(v, "ICMP types go with -S; -D takes no ports for icmp");
	if (sports + dports > 10)
		bad(v, "at most 10 ports in one rule");
	if ((ack || syn) && !(proto && !strcmp(proto, "tcp")))
		bad(v, "-k and -y need -P tcp");
	if (ack && syn)
		bad(v, "-k and -y cannot be combined");
	if (masq_opt && (strcmp(cat, "-F") || (policy && strcmp(policy, "accept"))))
		bad(v, "-m is legal only with -F and the accept policy");
	if (redir && (strcmp(cat, "-I") || (policy && strcmp(policy, "accept"))))
		bad(v, "-r is legal only with -I and the accept policy");
}

/* ----------------------------------------------------------- port forwarding */

static void check_ipmasqadm(struct inv *v)
{
	const char *cmd = NULL, *proto = NULL, *a;
	bool local = false, remote = false;
	int i, n_cmd = 0;

	if (v->argc < 2 || strcmp(v->argv[1], "portfw")) {
		bad(v, "the scripts use only the portfw module");
		return;
	}
	for (i = 2; i < v->argc; i++) {
		const char *o = v->argv[i];

		if (!strcmp(o, "-a") || !strcmp(o, "-d") || !strcmp(o, "-f") || !strcmp(o, "-l") ||
		    !strcmp(o, "-h")) {
			cmd = o;
			n_cmd++;
		} else if (!strcmp(o, "-P")) {
			proto = arg(v, &i, o);
			if (proto && strcmp(proto, "tcp") && strcmp(proto, "udp"))
				bad(v, "'%s' is not a protocol (tcp, udp)", proto);
		} else if (!strcmp(o, "-L") || !strcmp(o, "-R")) {
			*(!strcmp(o, "-L") ? &local : &remote) = true;
			if ((a = arg(v, &i, o)) && !is_quad(a))
				bad(v, "'%s' is not an address", a);
			if ((a = arg(v, &i, o)) && !is_port(a))
				bad(v, "'%s' is not a port", a);
		} else if (!strcmp(o, "-p")) {
			if ((a = arg(v, &i, o)) && !is_number(a, 0xffffffffUL))
				bad(v, "'%s' is not a preference", a);
		} else if (!strcmp(o, "-n") || !strcmp(o, "-u")) {
			/* list options */
		} else {
			bad(v, "unknown option or stray argument '%s'", o);
		}
	}
	if (n_cmd != 1) {
		bad(v, n_cmd ? "more than one command" : "no command (-a, -d, -f, -l)");
		return;
	}
	if (!strcmp(cmd, "-a") && !(proto && local && remote))
		bad(v, "portfw -a needs -P, -L and -R");
	if (!strcmp(cmd, "-d") && !(proto && local))
		bad(v, "portfw -d needs -P and -L");
	if ((!strcmp(cmd, "-f") || !strcmp(cmd, "-l")) && (proto || local || remote))
		bad(v, "portfw %s takes no rule", cmd);
}

/* ADDR/PORT */
static bool is_addr_port(const char *s)
{
	char buf[40];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash++ = 0;
	return is_quad(buf) && is_port(slash);
}

static void check_ipportfw(struct inv *v)
{
	const char *cmd = NULL, *a;
	bool local = false, remote = false;
	int i, n_cmd = 0;

	for (i = 1; i < v->argc; i++) {
		const char *o = v->argv[i];

		if (!strcmp(o, "-A") || !strcmp(o, "-D") || !strcmp(o, "-C") || !strcmp(o, "-L") ||
		    !strcmp(o, "-h")) {
			cmd = o;
			n_cmd++;
		} else if (!strncmp(o, "-t", 2) || !strncmp(o, "-u", 2)) {
			local = true;
			a = o[2] ? o + 2 : arg(v, &i, o);
			if (a && !is_addr_port(a))
				bad(v, "'%s' is not ADDRESS/PORT", a);
		} else if (!strncmp(o, "-R", 2)) {
			remote = true;
			a = o[2] ? o + 2 : arg(v, &i, o);
			if (a && !is_addr_port(a))
				bad(v, "'%s' is not ADDRESS/PORT", a);
		} else if (!strcmp(o, "-p")) {
			if ((a = arg(v, &i, o)) && !is_number(a, 0xffffffffUL))
				bad(v, "'%s' is not a preference", a);
		} else if (!strcmp(o, "-n")) {
			/* list option */
		} else {
			bad(v, "unknown option or stray argument '%s'", o);
		}
	}
	if (n_cmd != 1) {
		bad(v, n_cmd ? "more than one command" : "no command (-A, -D, -C, -L)");
		return;
	}
	if (!strcmp(cmd, "-A") && !(local && remote))
		bad(v, "-A needs -t or -u, and -R");
	if (!strcmp(cmd, "-D") && !local)
		bad(v, "-D needs -t or -u");
	if ((!strcmp(cmd, "-C") || !strcmp(cmd, "-L")) && (local || remote))
		bad(v, "%s takes no forward", cmd);
}

/* ------------------------------------------------------------------- others */

static void check_modprobe(struct inv *v)
{
	int i;

	if (v->argc < 2 || strncmp(v->argv[1], "ip_masq_", 8)) {
		bad(v, "the scripts load only ip_masq_* modules");
		return;
	}
	for (i = 2; i < v->argc; i++) {
		const char *p = v->argv[i], *q;
		int n = 0;

		if (strncmp(p, "ports=", 6)) {
			bad(v, "'%s' is not a parameter of %s", p, v->argv[1]);
			continue;
		}
		for (q = p + 6;; q++) {
			char num[8];
			size_t len = strcspn(q, ",");

			if (!len || len >= sizeof(num)) {
				bad(v, "'%s': a list of ports", p);
				break;
			}
			memcpy(num, q, len);
			num[len] = 0;
			if (!is_port(num))
				bad(v, "'%s' is not a port", num);
			n++;
			q += len;
			if (!*q)
				break;
		}
		if (n > 12)
			bad(v, "an ip_masq module takes at most 12 ports");
	}
}

static void check_simple(struct inv *v, const char *want)
{
	if (v->argc != 2 || strcmp(v->argv[1], want))
		bad(v, "expected exactly '%s'", want);
}

static void check(struct inv *v)
{
	const char *p = v->argv[0];

	if (!strcmp(p, "ipchains"))
		check_ipchains(v);
	else if (!strcmp(p, "ipfwadm"))
		check_ipfwadm(v);
	else if (!strcmp(p, "ipmasqadm"))
		check_ipmasqadm(v);
	else if (!strcmp(p, "ipportfw"))
		check_ipportfw(v);
	else if (!strcmp(p, "modprobe"))
		check_modprobe(v);
	else if (!strcmp(p, "depmod"))
		check_simple(v, "-a");
	else if (!strcmp(p, "uname"))
		check_simple(v, "-r");
	else if (!strcmp(p, "ifconfig")) {
		if (v->argc != 2 || !is_iface(v->argv[1], false))
			bad(v, "expected one interface name");
	} else
		bad(v, "a program the scripts must not run");
}

int main(int argc, char **argv)
{
	unsigned failures = 0, lines = 0;
	char buf[8192];
	struct inv v;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: check_legacy LOG\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	memset(&v, 0, sizeof(v));
	v.file = argv[1];
	while (fgets(buf, sizeof(buf), f)) {
		char *p = buf, *tab;

		v.line++;
		buf[strcspn(buf, "\n")] = 0;
		if (!*buf)
			continue;
		lines++;
		v.argc = 0;
		v.errors = 0;
		for (;;) {
			tab = strchr(p, '\t');
			if (v.argc < MAX_ARGS)
				v.argv[v.argc++] = p;
			if (!tab)
				break;
			*tab = 0;
			p = tab + 1;
		}
		check(&v);
		failures += v.errors > 0;
	}
	fclose(f);
	if (!lines) {
		fprintf(stderr, "%s: no command lines\n", argv[1]);
		return 1;
	}
	return failures ? 1 : 0;
}
