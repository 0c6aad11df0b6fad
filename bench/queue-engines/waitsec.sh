# wait until the wall clock is between second 12 and 40 of a minute
while s=$((10#$(date +%S))); [ $s -lt 12 ] || [ $s -gt 40 ]; do sleep 1; done
