#!/bin/sh
# explain: tests/explain/NAME/policy.masq with tests/explain/NAME/packets,
# one packet a line (leading --address IFACE=ADDR words are options; # and
# blank lines are skipped). For each packet, `masqgen explain` prints what
# expected.out pins: the command, stdout, stderr and the exit code.
# `make golden` rewrites expected.out.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp_dir)
for dir in "$TESTS_DIR"/explain/*/; do
	name=$(basename "$dir")
	if [ ! -f "$dir/policy.masq" ] || [ ! -f "$dir/packets" ]; then
		fail "explain $name" "needs policy.masq and packets"
		continue
	fi
	out="$tmp/$name.out"
	: >"$out"
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		opts=
		while :; do
			case $line in
			--*) opts="$opts ${line%% *}" line=${line#* } ;;
			*) break ;;
			esac
		done
		printf '$ masqgen explain%s policy.masq %s\n' "$opts" "$line" >>"$out"
		# shellcheck disable=SC2086 # opts are words
		(cd "$dir" && "$MASQGEN" explain $opts policy.masq "$line") >>"$out" 2>&1
		printf 'exit %s\n\n' "$?" >>"$out"
	done <"$dir/packets"
	golden_compare "explain $name" "$out" "$dir/expected.out"
done
