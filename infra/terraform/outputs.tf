output "cluster_name" {
  description = "Name of the GKE cluster (for get-gke-credentials)."
  value       = google_container_cluster.barkd.name
}

output "cluster_location" {
  description = "Region of the cluster."
  value       = google_container_cluster.barkd.location
}

output "cluster_endpoint" {
  description = "The Kubernetes API endpoint."
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
