# The cluster the cluster root made (the same values as ../example.tfvars).
project_id   = "barkd-demo-123456"
region       = "europe-west1"
cluster_name = "barkd"
