%# advisor/data/iac_gcp.tf - the Terraform written for a design on Google Cloud (advisor/iac.c).
%#
%# HCL as `terraform fmt` leaves it; the writer indents by block depth and aligns '=' itself, so
%# only the words matter here. Lines starting '%' are for the writer (see iac_aws.tf).
terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

provider "google" {
  project = var.gcp_project
  region  = var.region
}

variable "gcp_project" {
  type = string
}

variable "region" {
  type    = string
%if region_pinned
  default = "{tf_region}"
%else
  default = "us-central1"
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

resource "google_kms_key_ring" "lake" {
  name     = "${var.project}-lake"
  location = var.region
}

resource "google_kms_crypto_key" "lake" {
  name            = "lake"
  key_ring        = google_kms_key_ring.lake.id
  rotation_period = "7776000s"
}

resource "google_storage_bucket" "lake" {
  name                        = "${var.project}-lake"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  encryption {
    default_kms_key_name = google_kms_crypto_key.lake.id
  }
%if tiered

  lifecycle_rule {
    condition {
      age = {tf_hot_days}
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }
%end

  lifecycle_rule {
    condition {
      age = {tf_retention_days}
    }
    action {
      type = "Delete"
    }
  }
}

%if tech:gcp_pubsub
resource "google_pubsub_topic" "events" {
  name                       = "${var.project}-events"
  kms_key_name               = google_kms_crypto_key.lake.id
  message_retention_duration = "86400s"
}

resource "google_pubsub_subscription" "processing" {
  name                         = "${var.project}-processing"
  topic                        = google_pubsub_topic.events.id
  ack_deadline_seconds         = 60
%if exactly_once
  enable_exactly_once_delivery = true
%else
  enable_exactly_once_delivery = false
%end
}

%end
%if tech:gcp_bigquery|tech:gcp_bq_dbt
resource "google_bigquery_dataset" "analytics" {
  dataset_id                      = "analytics"
  location                        = var.region
  default_partition_expiration_ms = {tf_retention_ms}

  default_encryption_configuration {
    kms_key_name = google_kms_crypto_key.lake.id
  }
}
%end
