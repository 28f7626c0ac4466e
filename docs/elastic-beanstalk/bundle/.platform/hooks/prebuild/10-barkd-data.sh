#!/bin/bash
# Elastic Beanstalk runs this on the instance before the containers start: the host
# folder that holds barkd's data (the embedded SQLite database), owned by the image's
# numeric user so barkd can write it on its read-only root filesystem.
set -euo pipefail
data_dir=${BARKD_DATA_HOST_DIR:-/var/app/barkd-data}
install -d -o 10001 -g 10001 -m 0750 "$data_dir"
