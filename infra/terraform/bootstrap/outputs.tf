output "state_bucket" {
  description = "The GitHub variable TF_STATE_BUCKET and backend.hcl's bucket."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "The GitHub variable TF_LOCK_TABLE and backend.hcl's dynamodb_table."
  value       = aws_dynamodb_table.locks.name
}

output "aws_region" {
  description = "The GitHub variable AWS_REGION and backend.hcl's region."
  value       = var.aws_region
}

output "terraform_role_arn" {
  description = "The GitHub variable AWS_TERRAFORM_ROLE_ARN: the role CD assumes for the state."
  value       = aws_iam_role.terraform.arn
}

output "state_kms_key_arn" {
  description = "KMS key that encrypts the state objects and the lock table."
  value       = aws_kms_key.state.arn
}
