#!/bin/sh
# tests/ftpd6.sh DIR - one FTP session over IPv6 on stdin and
# stdout (socat EXEC), for suite-kernel-ipv6.sh: just enough for curl to RETR
# DIR/file actively (EPRT) or passively (EPSV), the extended commands the
# kernel's ftp helper tracks for IPv6. Data connections are socat's; every
# wait is bounded.
dir=$1
file=$dir/file
data_port=40021
pasv=
eprt=
reply() { printf '%s\r\n' "$*"; }
reply "220 masqgen test ftpd"
n=0
while [ "$n" -lt 40 ] && IFS= read -r line; do
	n=$((n + 1))
	line=$(printf '%s' "$line" | tr -d '\r')
	case "$line" in
	USER*) reply "331 any password" ;;
	PASS*) reply "230 logged in" ;;
	PWD*) reply '257 "/"' ;;
	CWD*) reply "250 ok" ;;
	TYPE*) reply "200 ok" ;;
	SIZE*) reply "213 $(wc -c <"$file")" ;;
	EPSV*)
		timeout 10 socat -u "OPEN:$file" "TCP6-LISTEN:$data_port,reuseaddr" 2>/dev/null &
		pasv=$!
		i=0
		while [ "$i" -lt 50 ] && ! ss -Hltn "sport = :$data_port" | grep -q .; do
			sleep 0.1
			i=$((i + 1))
		done
		reply "229 Entering Extended Passive Mode (|||$data_port|)"
		;;
	EPRT*)
		# EPRT |2|ADDR|PORT|
		eprt=$(printf '%s' "$line" | awk -F'|' '$2 == 2 { print "[" $3 "]:" $4 }')
		if [ -n "$eprt" ]; then reply "200 ok"; else reply "522 IPv6 only (2)"; fi
		;;
	RETR*)
		reply "150 here it comes"
		if [ -n "$pasv" ]; then
			wait "$pasv" && reply "226 done" || reply "425 no data connection"
			pasv=
		elif [ -n "$eprt" ] &&
			timeout 10 socat -u "OPEN:$file" "TCP6:$eprt,connect-timeout=3" 2>/dev/null; then
			reply "226 done"
		else
			reply "425 no data connection"
		fi
		;;
	QUIT*)
		reply "221 bye"
		exit 0
		;;
	*) reply "502 not here" ;;
	esac
done
