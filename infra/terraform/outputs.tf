output "cluster_name" {
  description = "Name of the GKE cluster (for get-gke-credentials)."
  value       = google_container_cluster.barkd.name
}

output "cluster_location" {
  description = "Region of the cluster."
  value       = google_container_cluster.barkd.location
}

output "cluster_dns_endpoint" {
  description = "DNS name of the control plane (reachable from anywhere, authorized by IAM): what CD's get-gke-credentials uses with dns_based_endpoint: true, and the platform root's providers."
  value       = google_container_cluster.barkd.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}

output "cluster_endpoint" {
  description = "The Kubernetes API's IP endpoint (reachable only from master_authorized_networks)."
  value       = google_container_cluster.barkd.endpoint
  sensitive   = true
}

output "workload_identity_pool" {
  description = "Workload Identity pool: annotate Kubernetes service accounts with iam.gke.io/gcp-service-account."
  value       = google_container_cluster.barkd.workload_identity_config[0].workload_pool
}

output "node_service_account" {
  description = "Service account the nodes run as."
  value       = google_service_account.nodes.email
}
