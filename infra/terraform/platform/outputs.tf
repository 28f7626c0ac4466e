output "namespaces" {
  description = "Namespaces this root created."
  value       = sort([for namespace in kubernetes_namespace_v1.this : namespace.metadata[0].name])
}

output "barkd_credentials_secret" {
  description = "Namespace/name of the Secret with db-password, admin-token and mariadb-root-password."
  value       = "${kubernetes_secret_v1.barkd_credentials.metadata[0].namespace}/${kubernetes_secret_v1.barkd_credentials.metadata[0].name}"
}

output "grafana_admin_secret" {
  description = "Namespace/name of the Secret with Grafana's admin-user and admin-password (read it with kubectl to log in)."
  value       = "${kubernetes_secret_v1.grafana_admin.metadata[0].namespace}/${kubernetes_secret_v1.grafana_admin.metadata[0].name}"
}

output "argocd_chart_version" {
  description = "Version of the argo-cd chart installed."
  value       = helm_release.argocd.version
}
