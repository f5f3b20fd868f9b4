// SPDX-License-Identifier: GPL-2.0-or-later
/* test_tables.c - the name tables: sorted, found, suggested */
#include "ir.h"
#include "tables.h"
#include "unit.h"
#include "util.h"

static void test_sorted(void)
{
	CHECK(tables_sorted());
}

static void test_ports(void)
{
	static const struct {
		const char *name;
		uint16_t port;
	} spec[] = {
		/* LANGUAGE.md's list, every entry */
		{"ftp", 21}, {"ssh", 22}, {"telnet", 23}, {"smtp", 25}, {"domain", 53},
		{"bootps", 67}, {"bootpc", 68}, {"tftp", 69}, {"http", 80}, {"pop3", 110},
		{"ntp", 123}, {"imap", 143}, {"snmp", 161}, {"snmp-trap", 162}, {"ldap", 389},
		{"https", 443}, {"isakmp", 500}, {"submission", 587}, {"imaps", 993}, {"pop3s", 995},
		{"openvpn", 1194}, {"h323", 1720}, {"pptp", 1723}, {"mysql", 3306}, {"rdp", 3389},
		{"ipsec-nat-t", 4500}, {"sip", 5060}, {"postgresql", 5432}, {"vnc", 5900},
		{"irc", 6667}, {"http-alt", 8080}, {"amanda", 10080}, {"quake", 27960},
		{"wireguard", 51820},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(spec); i++) {
		const struct tables_port *p = tables_port_find(spec[i].name);

		CHECK(p && p->port == spec[i].port);
	}
	CHECK(tables_port_find("www") == NULL);
	CHECK(tables_port_find("") == NULL);
	CHECK_STR(tables_port_suggest("htps"), "https");
	CHECK_STR(tables_port_suggest("shh"), "ssh");
	CHECK_STR(tables_port_suggest("postgres"), "postgresql");
	CHECK(tables_port_suggest("zzzzzzzz") == NULL);
}

static void test_helpers(void)
{
	const struct tables_helper *h = tables_helper_find("h323");

	CHECK(h && h->n_parts == 2 && h->modern && !h->legacy);
	CHECK_STR(h->parts[0].kname, "RAS");
	CHECK(h->parts[0].ports[0].proto == IR_P_UDP && h->parts[0].ports[0].port == 1719);
	CHECK_STR(h->parts[1].kname, "Q.931");
	CHECK(h->parts[1].ports[0].proto == IR_P_TCP && h->parts[1].ports[0].port == 1720);
	CHECK_STR(h->nat_module, "nf_nat_h323");
	h = tables_helper_find("sip");
	CHECK(h && h->n_parts == 1 && h->parts[0].n_ports == 2);
	h = tables_helper_find("snmp");
	CHECK(h && h->n_parts == 2);
	CHECK_STR(h->parts[1].kname, "snmp_trap");
	CHECK_STR(h->nat_module, "nf_nat_snmp_basic");
	h = tables_helper_find("ftp");
	CHECK(h && h->modern && h->legacy);
	CHECK_STR(h->legacy_module, "ip_masq_ftp");
	h = tables_helper_find("raudio");
	CHECK(h && !h->modern && h->legacy && h->n_parts == 0 && !h->nat_module);
	CHECK_STR(h->legacy_module, "ip_masq_raudio");
	h = tables_helper_find("tftp");
	CHECK(h && !h->legacy_module && !h->legacy);
	CHECK(tables_helper_find("FTP") == NULL);
	CHECK_STR(tables_helper_suggest("fpt"), "ftp");
	CHECK_STR(tables_helper_suggest("cuseme"), "cuseeme");
}

static void test_icmp(void)
{
	const struct tables_icmp *t = tables_icmp_find("destination-unreachable");

	CHECK(t && t->type == 3);
	CHECK(tables_icmp_find("echo") == NULL);
	CHECK_STR(tables_icmp_suggest("echo-requests"), "echo-request");
	CHECK_STR(tables_icmp_name(8), "echo-request");
	CHECK_STR(tables_icmp_name(0), "echo-reply");
	CHECK(tables_icmp_name(200) == NULL);
	CHECK_STR(tables_icmpv6_name(TABLES_ICMPV6_PACKET_TOO_BIG), "packet-too-big");
	CHECK_STR(tables_icmpv6_name(135), "nd-neighbor-solicit");
	CHECK(tables_icmpv6_name(8) == NULL);
}

int main(void)
{
	RUN(test_sorted);
	RUN(test_ports);
	RUN(test_helpers);
	RUN(test_icmp);
	UNIT_EXIT();
}
