data "aws_caller_identity" "current" {}

# One customer-managed key for the state objects and the lock table, rotated yearly.
resource "aws_kms_key" "state" {
  description             = "barkd Terraform state (S3 objects and DynamoDB lock table)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.state_key.json
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.state_bucket}"
  target_key_id = aws_kms_key.state.key_id
}

# The account administers the key (the default key policy); who may use it is then up to
# IAM policies such as the CD role's below.
data "aws_iam_policy_document" "state_key" {
  # checkov:skip=CKV_AWS_109: a KMS key policy's only resource is "*", meaning this one key; granting the account root is AWS's default key policy, which hands use of the key to IAM policies.
  # checkov:skip=CKV_AWS_111: a KMS key policy's only resource is "*", meaning this one key (not every resource); the account root administers it, as in AWS's default key policy.
  # checkov:skip=CKV_AWS_356: in a key policy "*" is the key the policy is attached to; there is no narrower resource to name.
  statement {
    sid       = "AccountAdministersTheKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}
