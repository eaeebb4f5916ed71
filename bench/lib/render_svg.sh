#!/usr/bin/env bash
# render_svg.sh RESULTS.json OUT.svg : draws the chart the README embeds, with
# Debian's gnuplot (gnuplot-nox), from the "chart" section written by
# report.mjs: horizontal bars, Gatehouse in blue, peers in orange, ceilings
# (openssl, nginx) in grey; top panel throughput (req/s or ops/s, log scale),
# bottom panel idle RSS (MiB). Title: date, mode and machine (cores, memory).
# Does not measure anything; needs jq and gnuplot.
set -euo pipefail
IN="$1"; OUT="$2"
TMP="$(mktemp -d /tmp/gh-bench-svg.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT

color() { case "$1" in gatehouse) echo 0x1f77b4 ;; peer) echo 0xff7f0e ;; *) echo 0x8c8c8c ;; esac; }
for panel in throughput memory; do
  jq -r --arg p "$panel" '.chart | map(select(.panel == $p)) | reverse | .[] | [.value, .kind, .label] | @tsv' "$IN" |
    while IFS=$'\t' read -r v kind label; do
      printf '%s\t%s\t"%s"\n' "$v" "$(color "$kind")" "${label//\"/\'}"
    done >"$TMP/$panel.dat"
done
NT=$(wc -l <"$TMP/throughput.dat"); NM=$(wc -l <"$TMP/memory.dat")
[ "$NT" -gt 0 ] || { printf '10\t0x8c8c8c\t"nothing measured"\n' >"$TMP/throughput.dat"; NT=1; }
[ "$NM" -gt 0 ] || { printf '0\t0x8c8c8c\t"not measured"\n' >"$TMP/memory.dat"; NM=1; }

TITLE="$(jq -r '"Gatehouse vs peers, \(.date[0:16] | sub("T"; " ")) UTC, \(.mode) run; \(.machine.cores) cores (\(.machine.cpu)), \(.machine.memory_gib) GiB; \(.wrk), loopback"' "$IN")"
TITLE="${TITLE//\"/\'}"

# layout in pixels: title+legend 60, bars 26 each (at least 2 rows' height per
# panel), 70 between the panels (tics + axis label), 50 at the bottom
BAR=26
NTH=$NT; [ "$NTH" -ge 2 ] || NTH=2
NMH=$NM; [ "$NMH" -ge 2 ] || NMH=2
H=$(( 60 + NTH * BAR + 70 + NMH * BAR + 50 ))
# room on the right of the longest bar for its value label
XT=$(awk -F'\t' 'BEGIN{m=10} $1>m{m=$1} END{printf "%.0f", m*2.2}' "$TMP/throughput.dat")
XM=$(awk -F'\t' 'BEGIN{m=1} $1>m{m=$1} END{printf "%.1f", m*1.12}' "$TMP/memory.dat")
read -r P1T P1B P2T P2B < <(awk -v h="$H" -v a="$NTH" -v b="$NMH" -v bar="$BAR" 'BEGIN{
  t1 = 1 - 60/h; b1 = t1 - a*bar/h; t2 = b1 - 70/h; b2 = t2 - b*bar/h; printf "%.4f %.4f %.4f %.4f\n", t1, b1, t2, b2 }')

cat >"$TMP/plot.gp" <<EOF
set terminal svg size 1100,$H dynamic noenhanced font "sans,11" background rgb "white"
set output "$OUT"
set datafile separator "\t"
set multiplot
set label 1 "$TITLE" at screen 0.5, screen 1 - 18.0/$H center font "sans,12"
set label 2 "Gatehouse" at screen 0.36, screen 1 - 42.0/$H left tc rgb "#1f77b4"
set label 3 "peers" at screen 0.45, screen 1 - 42.0/$H left tc rgb "#ff7f0e"
set label 4 "ceilings (openssl, nginx)" at screen 0.51, screen 1 - 42.0/$H left tc rgb "#8c8c8c"
set style fill solid 0.85 noborder
set lmargin at screen 0.36
set rmargin at screen 0.93
unset key
set grid xtics lc rgb "#dddddd"
set ytics nomirror scale 0
set xtics nomirror

set tmargin at screen $P1T
set bmargin at screen $P1B
set logscale x
set xrange [10:$XT]
set yrange [-0.6:$NT - 0.4]
set xlabel "requests (operations) per second, log scale; higher is better" offset 0,0.4
plot "$TMP/throughput.dat" using (10):0:(10):1:(\$0-0.38):(\$0+0.38):2:ytic(3) with boxxyerror lc rgb variable, \
     "" using 1:0:(sprintf(" %.0f", \$1)) with labels left font "sans,9"
unset label

unset logscale x
set tmargin at screen $P2T
set bmargin at screen $P2B
set xrange [0:$XM]
set yrange [-0.6:$NM - 0.4]
set xlabel "idle RSS, MiB; lower is better" offset 0,0.4
plot "$TMP/memory.dat" using (0):0:(0):1:(\$0-0.38):(\$0+0.38):2:ytic(3) with boxxyerror lc rgb variable, \
     "" using 1:0:(sprintf(" %.1f", \$1)) with labels left font "sans,9"
unset multiplot
EOF
gnuplot "$TMP/plot.gp" 2>"$TMP/gnuplot.err" || { cat "$TMP/gnuplot.err" >&2; exit 1; }
[ -s "$OUT" ] || { echo "render_svg.sh: no output" >&2; exit 1; }
