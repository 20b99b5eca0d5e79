%# advisor/data/iac_azure.tf - the Terraform written for a design on Azure (advisor/iac.c).
%#
%# HCL as `terraform fmt` leaves it; the writer indents by block depth and aligns '=' itself, so
%# only the words matter here. Lines starting '%' are for the writer (see iac_aws.tf).
terraform {
  required_version = ">= 1.5"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "location" {
  type    = string
%if region_pinned
  default = "{tf_region}"
%else
  default = "eastus"
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

resource "azurerm_resource_group" "data" {
  name     = "${var.project}-data"
  location = var.location
}

resource "azurerm_storage_account" "lake" {
  name                            = substr(replace("${var.project}lake", "-", ""), 0, 24)
  resource_group_name             = azurerm_resource_group.data.name
  location                        = azurerm_resource_group.data.location
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  account_kind                    = "StorageV2"
  is_hns_enabled                  = true
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_data_lake_gen2_filesystem" "lake" {
  name               = "lake"
  storage_account_id = azurerm_storage_account.lake.id
}

resource "azurerm_storage_management_policy" "lake" {
  storage_account_id = azurerm_storage_account.lake.id

  rule {
    name    = "tiering"
    enabled = true
    filters {
      blob_types = ["blockBlob"]
    }
    actions {
      base_blob {
%if tiered
        tier_to_cool_after_days_since_modification_greater_than = {tf_hot_days}
%end
        delete_after_days_since_modification_greater_than = {tf_retention_days}
      }
    }
  }
}

%if unit:az_eventhubs|unit:az_debezium|unit:az_eh_capture
resource "azurerm_eventhub_namespace" "events" {
  name                = "${var.project}-events"
  location            = azurerm_resource_group.data.location
  resource_group_name = azurerm_resource_group.data.name
  sku                 = "Standard"
  capacity            = {tf_namespace_tu:az_eventhubs|az_debezium|az_eh_capture}
  minimum_tls_version = "1.2"
}

resource "azurerm_eventhub" "events" {
  name              = "events"
  namespace_id      = azurerm_eventhub_namespace.events.id
  partition_count   = {tf_partitions}
  message_retention = {tf_kafka_retention_days}
}

%end
%if tech:az_adf_shir|tech:az_adf_orch|tech:az_adf_saas|tech:az_adf_files
resource "azurerm_data_factory" "pipelines" {
  name                = "${var.project}-adf"
  location            = azurerm_resource_group.data.location
  resource_group_name = azurerm_resource_group.data.name

  identity {
    type = "SystemAssigned"
  }
}
%end
