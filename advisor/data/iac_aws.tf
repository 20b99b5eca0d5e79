%# advisor/data/iac_aws.tf - the Terraform written for a design on AWS (advisor/iac.c).
%#
%# HCL as `terraform fmt` leaves it; the writer indents by block depth and aligns '=' itself, so
%# only the words matter here. Lines starting '%' are for the writer: '%#' a note, '%if COND' ..
%# '%else' .. '%end' a part written when COND holds (the condition language of risks.tsv, plus
%# tech:<catalog id> for a chosen technology and unit:<catalog id> for one sized in stream units).
%# {tf_*} fields are the design's figures (docs/advisor.md); ${...} is Terraform's own. Catalog
%# ids and fields are checked when the advisor loads.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
%if region_pinned
  default = "{tf_region}"
%else
  default = "us-east-1"
%end
}

%if multi_region
variable "standby_region" {
  type    = string
%if standby_known
  default = "{tf_standby_region}"
%end
}

%end
variable "project" {
  type    = string
  default = "{tf_project}"
}

resource "aws_kms_key" "lake" {
  description             = "Encrypts the lake and the stream"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_s3_bucket" "lake" {
  bucket = "${var.project}-lake"
}

resource "aws_s3_bucket_public_access_block" "lake" {
  bucket                  = aws_s3_bucket.lake.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "lake" {
  bucket = aws_s3_bucket.lake.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.lake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "lake" {
  bucket = aws_s3_bucket.lake.id

  rule {
    id     = "landing"
    status = "Enabled"
    filter {
      prefix = "landing/"
    }
    expiration {
      days = {tf_landing_days}
    }
  }

  rule {
    id     = "lake"
    status = "Enabled"
    filter {
      prefix = "lake/"
    }
%if tiered
    transition {
      days          = {tf_hot_days}
      storage_class = "STANDARD_IA"
    }
%end
    expiration {
      days = {tf_retention_days}
    }
  }
}

resource "aws_glue_catalog_database" "lake" {
  name = replace("${var.project}_lake", "-", "_")
}

%if tech:aws_athena|tech:aws_athena_sql
resource "aws_athena_workgroup" "analytics" {
  name = "${var.project}-analytics"

  configuration {
    enforce_workgroup_configuration = true
    bytes_scanned_cutoff_per_query  = 1099511627776
    result_configuration {
      output_location = "s3://${aws_s3_bucket.lake.bucket}/athena-results/"
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.lake.arn
      }
    }
  }
}

%end
%if unit:aws_kinesis
resource "aws_kinesis_stream" "events" {
  name             = "${var.project}-events"
  shard_count      = {tf_units:aws_kinesis}
  retention_period = 24
  encryption_type  = "KMS"
  kms_key_id       = aws_kms_key.lake.arn

  stream_mode_details {
    stream_mode = "PROVISIONED"
  }
}

%end
%if tech:aws_msk,kafka_self
variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

# Topics: {tf_partitions} partitions, replication factor {tf_replication}, min.insync.replicas {tf_min_insync} (created by the topic tooling).
resource "aws_msk_cluster" "events" {
  cluster_name           = "${var.project}-events"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = {tf_brokers}

  broker_node_group_info {
    instance_type   = "{tf_broker_instance}"
    client_subnets  = var.subnet_ids
    security_groups = var.security_group_ids

    storage_info {
      ebs_storage_info {
        volume_size = {tf_broker_volume_gb}
      }
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.lake.arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }
}
%end
