# tests/nft-normalize.awk - make two `nft list` outputs comparable.
#
# The kernel lists the elements of a hash set in hash order, which differs
# between two loads of the same ruleset; this joins each multi-line element
# list onto one line and sorts the elements of every { ... } group.
# Elements are split on ", " (masqgen's comments hold no comma). The time
# a live set's element has left (`expires 59m59s996ms`) is dropped: it
# differs by the time between two listings.

function sort_group(body,    n, a, i, j, t, out) {
	n = split(body, a, /, +/)
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	out = a[1]
	for (i = 2; i <= n; i++)
		out = out ", " a[i]
	return out
}

function normalize(line,    out, lb, rb) {
	out = ""
	while ((lb = index(line, "{ ")) > 0 && (rb = index(substr(line, lb), " }")) > 0) {
		out = out substr(line, 1, lb + 1) sort_group(substr(line, lb + 2, rb - 3)) " }"
		line = substr(line, lb + rb + 1)
	}
	return out line
}

{
	gsub(/ expires [0-9dhms]+/, "")
	if (pending != "") {
		sub(/^[ \t]+/, "", $0)
		pending = pending " " $0
		if ($0 ~ /}$/) {
			print normalize(pending)
			pending = ""
		}
		next
	}
	if ($0 ~ /elements = \{/ && $0 !~ /}$/) {
		pending = $0
		next
	}
	print normalize($0)
}
