project_id             = "barkd-demo-123456"
region                 = "europe-west1"
cluster_name           = "barkd"
release_channel        = "REGULAR"
deploy_service_account = "barkd-deploy@barkd-demo-123456.iam.gserviceaccount.com"
# Operators' addresses for the IP endpoint; CD uses the DNS endpoint instead.
master_authorized_networks = [
  { cidr_block = "203.0.113.0/24", display_name = "operators" },
]
