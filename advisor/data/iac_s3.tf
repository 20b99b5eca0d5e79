%# advisor/data/iac_s3.tf - the Terraform written on premises: an S3-compatible store (MinIO)
%# (advisor/iac.c).
%#
%# HCL as `terraform fmt` leaves it; the writer indents by block depth and aligns '=' itself, so
%# only the words matter here. Lines starting '%' are for the writer (see iac_aws.tf).
terraform {
  required_version = ">= 1.5"
  required_providers {
    minio = {
      source  = "aminueza/minio"
      version = "~> 3.0"
    }
  }
}

provider "minio" {
  minio_server   = var.s3_endpoint
  minio_user     = var.s3_access_key
  minio_password = var.s3_secret_key
  minio_ssl      = true
}

variable "s3_endpoint" {
  type = string
}

variable "s3_access_key" {
  type      = string
  sensitive = true
}

variable "s3_secret_key" {
  type      = string
  sensitive = true
}

variable "project" {
  type    = string
  default = "{tf_project}"
}

resource "minio_s3_bucket" "lake" {
  bucket = "${var.project}-lake"
  acl    = "private"
}

resource "minio_s3_bucket_versioning" "lake" {
  bucket = minio_s3_bucket.lake.bucket

  versioning_configuration {
    status = "Enabled"
  }
}

resource "minio_ilm_policy" "lake" {
  bucket = minio_s3_bucket.lake.bucket

  rule {
    id         = "retention"
    expiration = "{tf_retention_days}d"
  }
}
