#!/usr/bin/env bash
# make_events.sh: writes events.csv for the policies example (deterministic; no randomness).
# Population (54 accounts, 2024-01-01 .. 2025-01-01, daily reports at 00:00:00Z):
#   u01..u40  passive AUTOMATIC users (ETH; every third also USDC -> USDB)
#   c01..c04  CLAIMABLE users who claim on the 1st of each month
#   v01..v03  VOID users
#   dex, nft, game  dApps with CLAIMABLE gas, paid weekly, claimed monthly
#   io1..io4  in-and-out: deposit 2000 ETH 6-9 s before the report of the 1st and 15th of each
#             month (not July-September, while the loss's debt may discount withdrawals) and
#             withdraw the 2000 ETH 1-4 s after it
#   a loss of 3 ETH at "lido" on 2024-07-01T12:00:00Z, larger than the insurance fund.
# Usage: make_events.sh > events.csv
set -euo pipefail
export LC_ALL=C TZ=UTC
day() { date -u -d "2024-01-01 +$1 days" +%Y-%m-%d; }
{
  t=2024-01-01T00:00:00Z
  for i in $(seq -w 1 40); do echo "$t,open,u$i,,,,user"; done
  for i in 1 2 3 4; do echo "$t,open,c0$i,,,,user"; done
  for i in 1 2 3; do echo "$t,open,v0$i,,,,user"; done
  for d in dex nft game; do echo "$t,open,$d,,,,dapp"; echo "$t,gas_mode,$d,,,,CLAIMABLE"; done
  for i in 1 2 3 4; do echo "$t,open,io$i,,,,user"; done
  for i in $(seq 1 40); do
    n=$(printf %02d "$i")
    echo "$t,deposit,u$n,ETH,$(( (i % 7 + 1) * 3 )).$(( i % 10 )),,"
    if (( i % 3 == 0 )); then echo "$t,deposit,u$n,USDC,$(( i * 1000 )),,"; fi
  done
  for i in 1 2 3 4; do
    echo "$t,deposit,c0$i,ETH,$(( i * 10 )),,"
    echo "$t,configure,c0$i,ETH,,,CLAIMABLE"
  done
  for i in 1 2 3; do
    echo "$t,deposit,v0$i,ETH,$(( i * 20 )),,"
    echo "$t,configure,v0$i,ETH,,,VOID"
  done
  for k in $(seq 1 365); do
    d=$(day "$k"); p=$(day "$((k - 1))"); dd=${d:8:2}; mm=${d:5:2}
    if [[ ( $dd == 01 || $dd == 15 ) && $mm != 07 && $mm != 08 && $mm != 09 ]]; then
      for i in 1 2 3 4; do echo "${p}T23:59:5${i},deposit,io$i,ETH,2000,,"; done
    fi
    if (( k % 7 == 3 )); then
      echo "${d}T10:00:00Z,gas,u$(printf %02d $(( k % 40 + 1 ))),ETH,0.01,dex,"
      echo "${d}T11:00:00Z,gas,u$(printf %02d $(( (k + 13) % 40 + 1 ))),ETH,0.02,nft,"
      echo "${d}T12:00:00Z,gas,u$(printf %02d $(( (k + 27) % 40 + 1 ))),ETH,0.005,game,"
    fi
    if [[ ( $dd == 01 || $dd == 15 ) && $mm != 07 && $mm != 08 && $mm != 09 ]]; then
      for i in 1 2 3 4; do echo "${d}T00:00:0${i}Z,withdraw,io$i,ETH,2000,,"; done
    fi
    if [[ $dd == 01 ]]; then
      for i in 1 2 3 4; do echo "${d}T08:00:00Z,claim,c0$i,ETH,,,"; done
      for x in dex nft game; do echo "${d}T09:00:00Z,claim_gas,$x,ETH,,,"; done
    fi
    if [[ $d == 2024-07-01 ]]; then echo "${d}T12:00:00Z,loss,lido,,3,,"; fi
  done
} | sed 's/T23:59:5\([0-9]\),/T23:59:5\1Z,/' | sort -s -t, -k1,1 | {
  echo "time,type,account,asset,amount,to,value"; cat; }
