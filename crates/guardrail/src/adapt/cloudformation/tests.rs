use super::*;
use crate::graph::{EdgeKind, Link, Target};
use crate::parse::yaml;
use crate::source::{Format, SourceFiles};

struct Run {
    files: SourceFiles,
    adapted: Adapted,
}

fn run(text: &str) -> Run {
    let mut files = SourceFiles::default();
    let id = files.add("t.yaml".into(), text.into(), Format::Yaml);
    let adapted = {
        let file = files.get(id).expect("file");
        let parsed = yaml::parse(file);
        assert!(
            parsed.diagnostics.is_empty(),
            "parse: {:?}",
            parsed.diagnostics
        );
        let [doc] = parsed.documents.as_slice() else {
            panic!("one document expected")
        };
        adapt(file, doc)
    };
    Run { files, adapted }
}

impl Run {
    fn text(&self, span: Span) -> &str {
        self.files.get(span.file).expect("file").slice(span)
    }

    fn links_of(&self, local_name: &str) -> Vec<(EdgeKind, String, String)> {
        let (_, links) = self
            .adapted
            .resources
            .iter()
            .find(|(r, _)| r.local_name == local_name)
            .unwrap_or_else(|| panic!("no node {local_name}"));
        links.iter().map(|l| self.describe(l)).collect()
    }

    /// (kind, target local name, text at the link's span)
    fn describe(&self, link: &Link) -> (EdgeKind, String, String) {
        let Target::Name { name, scope, .. } = &link.target else {
            panic!("name target expected")
        };
        assert_eq!(scope, "cfn:t.yaml");
        (link.kind, name.clone(), self.text(link.span).to_owned())
    }

    fn codes(&self) -> Vec<&'static str> {
        self.adapted.diagnostics.iter().map(|d| d.code).collect()
    }

    fn messages(&self) -> Vec<String> {
        self.adapted
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{}: {} @ {}",
                    d.code,
                    d.message,
                    d.span.map_or("", |s| self.text(s))
                )
            })
            .collect()
    }
}

fn r(kind: EdgeKind, name: &str, text: &str) -> (EdgeKind, String, String) {
    (kind, name.to_owned(), text.to_owned())
}

const REF: EdgeKind = EdgeKind::Reference;

#[test]
fn nodes_have_addresses_names_kinds_and_spans() {
    let run = run(concat!(
        "AWSTemplateFormatVersion: '2010-09-09'\n",
        "Parameters:\n  Env:\n    Type: String\n    Default: prod\n",
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n",
        "Mappings:\n  Ami:\n    us-east-1: {Id: ami-1}\n",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
        "Outputs:\n  Name:\n    Value: !Ref Bucket\n",
    ));
    assert!(run.adapted.diagnostics.is_empty(), "{:?}", run.messages());
    let nodes: Vec<_> = run
        .adapted
        .resources
        .iter()
        .map(|(r, _)| {
            (
                r.address.as_str(),
                r.type_name.as_str(),
                r.kind,
                r.local_name.as_str(),
                run.text(r.name_span),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        vec![
            (
                "t.yaml#Parameters/Env",
                "parameter",
                NodeKind::Parameter,
                "Env",
                "Env"
            ),
            (
                "t.yaml#Conditions/IsProd",
                "condition",
                NodeKind::Condition,
                "Condition:IsProd",
                "IsProd"
            ),
            (
                "t.yaml#Mappings/Ami",
                "mapping",
                NodeKind::Mapping,
                "Mapping:Ami",
                "Ami"
            ),
            (
                "t.yaml#Bucket",
                "AWS::S3::Bucket",
                NodeKind::Resource,
                "Bucket",
                "Bucket"
            ),
            (
                "t.yaml#Outputs/Name",
                "output",
                NodeKind::Output,
                "Output:Name",
                "Name"
            ),
        ]
    );
    let (bucket, _) = &run.adapted.resources[3];
    assert_eq!(run.text(bucket.span), "Bucket:\n    Type: AWS::S3::Bucket");
    assert_eq!(bucket.scope, "cfn:t.yaml");
    assert_eq!(bucket.framework, Framework::CloudFormation);
    assert_eq!(
        bucket.attributes.to_json(),
        serde_json::json!({"Type": "AWS::S3::Bucket"})
    );
    assert_eq!(
        run.links_of("Condition:IsProd"),
        vec![r(REF, "Env", "!Ref Env")]
    );
    assert_eq!(
        run.links_of("Output:Name"),
        vec![r(REF, "Bucket", "!Ref Bucket")]
    );
}

// A short-form scalar's span starts at its tag, so a link from `!Ref X` covers `!Ref X`.
#[test]
fn ref_names_parameters_and_resources_but_not_pseudo_parameters() {
    let run = run(concat!(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n",
        "      A: !Ref Env\n",
        "      B: {Ref: Key}\n",
        "      C: [!Ref AWS::Region, !Ref AWS::AccountId, !Ref AWS::NoValue, !Ref AWS::StackName]\n",
        "      D: [!Ref AWS::Partition, !Ref AWS::URLSuffix, !Ref AWS::StackId, !Ref AWS::NotificationARNs]\n",
        "      E:\n        Ref: Missing\n",
        "      F: !Ref [NotAName]\n",
    ));
    assert_eq!(
        run.links_of("Bucket"),
        vec![
            r(REF, "Env", "!Ref Env"),
            r(REF, "Key", "Key"),
            r(REF, "Missing", "Missing")
        ]
    );
    assert_eq!(run.codes(), vec!["cloudformation::intrinsic"]);
}

#[test]
fn get_att_in_list_string_and_long_string_form() {
    let run = run(concat!(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n",
        "      A: !GetAtt Role.Arn\n",
        "      B: !GetAtt [Db, Endpoint.Address]\n",
        "      C: {'Fn::GetAtt': 'Queue.Arn'}\n",
        "      D: {'Fn::GetAtt': [Table, !Ref AttributeName]}\n",
    ));
    assert!(run.adapted.diagnostics.is_empty(), "{:?}", run.messages());
    assert_eq!(
        run.links_of("Fn"),
        vec![
            // The short string form is split by the parser; both parts keep its span.
            r(REF, "Role", "!GetAtt Role.Arn"),
            r(REF, "Db", "Db"),
            r(REF, "Queue", "'Queue.Arn'"),
            r(REF, "Table", "Table"),
            r(REF, "AttributeName", "!Ref AttributeName"),
        ]
    );
}

#[test]
fn get_att_of_the_wrong_shape_is_a_warning_and_its_arguments_are_walked() {
    let run = run(concat!(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n",
        "      A: !GetAtt Role\n",
        "      B: !GetAtt [Role]\n",
        "      C: {'Fn::GetAtt': 3}\n",
        "      D: {'Fn::GetAtt': [!Ref X, Arn]}\n",
    ));
    assert_eq!(run.links_of("Fn"), vec![r(REF, "X", "!Ref X")]);
    assert_eq!(run.codes(), vec!["cloudformation::intrinsic"; 4]);
    assert!(
        run.messages()[0].contains("`Role` has no attribute (in resource `Fn`)"),
        "{:?}",
        run.messages()
    );
}

#[test]
fn sub_string_placeholders_are_references_with_their_own_spans() {
    let run = run(concat!(
        "Resources:\n  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n",
        "      A: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${Role.Arn}/${Bucket}'\n",
        "      B:\n        Fn::Sub: |\n          line ${Queue.QueueName}\n",
    ));
    assert!(run.adapted.diagnostics.is_empty(), "{:?}", run.messages());
    assert_eq!(
        run.links_of("Policy"),
        vec![
            r(REF, "Bucket", "${Bucket}"),
            r(REF, "Role", "${Role.Arn}"),
            r(REF, "Bucket", "${Bucket}"),
            r(REF, "Queue", "${Queue.QueueName}"),
        ]
    );
    let (_, links) = &run.adapted.resources[0];
    // The two `${Bucket}` are two places.
    assert_ne!(links[0].span, links[2].span);
}

#[test]
fn sub_placeholders_fall_back_to_the_string_when_escaped_differently() {
    // `\u0024` is `$`: the placeholder is not written as such in the source.
    let run = run(
        "Resources:\n  P:\n    Type: T::T::T\n    Properties:\n      A: !Sub \"\\u0024{Bucket}\"\n",
    );
    assert_eq!(
        run.links_of("P"),
        vec![r(REF, "Bucket", "!Sub \"\\u0024{Bucket}\"")]
    );
}

#[test]
fn sub_list_form_variables_are_local_but_their_values_are_walked() {
    let run = run(concat!(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n",
        "      A: !Sub\n        - '${Name}-${Bucket}-${Domain.Arn}'\n",
        "        - Name: !Ref Prefix\n          Domain: !GetAtt Other.Name\n",
        "      B: !Sub ['${Table}']\n",
        "      C: !Sub [1, 2, 3]\n",
    ));
    assert_eq!(
        run.links_of("Fn"),
        vec![
            r(REF, "Bucket", "${Bucket}"),
            r(REF, "Prefix", "!Ref Prefix"),
            r(REF, "Other", "!GetAtt Other.Name"),
            r(REF, "Table", "${Table}"),
        ]
    );
    assert_eq!(run.codes(), vec!["cloudformation::intrinsic"]);
}

#[test]
fn depends_on_as_string_and_list() {
    let run = run(concat!(
        "Resources:\n",
        "  A:\n    Type: T::T::T\n    DependsOn: B\n",
        "  B:\n    Type: T::T::T\n    DependsOn: [A, Gone]\n",
        "  C:\n    Type: T::T::T\n    DependsOn: {A: 1}\n",
        "  D:\n    Type: T::T::T\n    DependsOn: [A, 3]\n",
    ));
    let dep = EdgeKind::DependsOn;
    assert_eq!(run.links_of("A"), vec![r(dep, "B", "B")]);
    assert_eq!(
        run.links_of("B"),
        vec![r(dep, "A", "A"), r(dep, "Gone", "Gone")]
    );
    assert_eq!(run.links_of("C"), vec![]);
    assert_eq!(run.links_of("D"), vec![r(dep, "A", "A")]);
    assert_eq!(run.codes(), vec!["cloudformation::intrinsic"; 2]);
}

#[test]
fn conditions_are_referenced_from_resources_if_and_condition_expressions() {
    let run = run(concat!(
        "Conditions:\n",
        "  IsProd: !Equals [!Ref Env, prod]\n",
        "  IsEu: !Equals [!Ref 'AWS::Region', eu-west-1]\n",
        "  Both: !And [!Condition IsProd, {Condition: IsEu}, !Not [!Condition Other]]\n",
        "  Either:\n    Fn::Or:\n      - Condition: IsProd\n      - !Equals [a, b]\n",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: Both\n",
        "    Properties:\n      Name: !If [IsProd, !Ref ProdName, !Ref AWS::NoValue]\n",
        "      Policy:\n        Condition: {StringEquals: {a: b}}\n        Other:\n          Condition: NotACondition\n",
        "Outputs:\n  O:\n    Condition: IsEu\n    Value: !If [Missing, a, b]\n",
    ));
    assert!(run.adapted.diagnostics.is_empty(), "{:?}", run.messages());
    assert_eq!(
        run.links_of("Condition:IsProd"),
        vec![r(REF, "Env", "!Ref Env")]
    );
    assert_eq!(run.links_of("Condition:IsEu"), vec![]);
    assert_eq!(
        run.links_of("Condition:Both"),
        vec![
            r(REF, "Condition:IsProd", "!Condition IsProd"),
            r(REF, "Condition:IsEu", "IsEu"),
            r(REF, "Condition:Other", "!Condition Other"),
        ]
    );
    assert_eq!(
        run.links_of("Condition:Either"),
        vec![r(REF, "Condition:IsProd", "IsProd")]
    );
    // An IAM-style `Condition` key inside properties is data, not a condition reference.
    assert_eq!(
        run.links_of("Bucket"),
        vec![
            r(REF, "Condition:Both", "Both"),
            r(REF, "Condition:IsProd", "IsProd"),
            r(REF, "ProdName", "!Ref ProdName"),
        ]
    );
    assert_eq!(
        run.links_of("Output:O"),
        vec![
            r(REF, "Condition:IsEu", "IsEu"),
            r(REF, "Condition:Missing", "Missing")
        ]
    );
    let (_, links) = &run.adapted.resources[5];
    let Target::Name { display, .. } = &links[1].target else {
        panic!("name target")
    };
    assert_eq!(display, "Conditions/Missing");
}

#[test]
fn malformed_if_and_boolean_conditions_are_warnings() {
    let run = run(concat!(
        "Conditions:\n  A: !And {Condition: B}\n  B: !Not [{Condition: [x]}]\n",
        "Resources:\n  R:\n    Type: T::T::T\n    Condition: [C]\n",
        "    Properties:\n      X: !If [C, a]\n      Y: !If [!Ref P, a, b]\n",
    ));
    assert_eq!(run.codes(), vec!["cloudformation::intrinsic"; 5]);
    assert_eq!(run.links_of("R"), vec![r(REF, "P", "!Ref P")]);
}

#[test]
fn find_in_map_names_a_mapping_when_the_name_is_literal() {
    let run = run(concat!(
        "Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n",
        "      A: !FindInMap [RegionMap, !Ref 'AWS::Region', Ami]\n",
        "      B: !FindInMap [!Ref MapParam, x, y]\n",
        "      C: !FindInMap [Other, x, y, {DefaultValue: z}]\n",
        "      D: !FindInMap [Short, x]\n",
    ));
    assert_eq!(
        run.links_of("I"),
        vec![
            r(REF, "Mapping:RegionMap", "RegionMap"),
            r(REF, "MapParam", "!Ref MapParam"),
            r(REF, "Mapping:Other", "Other"),
        ]
    );
    assert_eq!(run.codes(), vec!["cloudformation::intrinsic"]);
}

#[test]
fn other_intrinsics_are_walked() {
    let run = run(concat!(
        "Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n",
        "      A: !Join ['', [!Ref A1, !Select [0, !Split [',', !Ref A2]]]]\n",
        "      B: !Base64 {'Fn::Sub': '${B1}'}\n",
        "      C: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]\n",
        "      D: !ImportValue {'Fn::Sub': '${AWS::StackName}-${D1}'}\n",
        "      E: !Select [0, !GetAZs {Ref: 'AWS::Region'}]\n",
    ));
    assert!(run.adapted.diagnostics.is_empty(), "{:?}", run.messages());
    let names: Vec<String> = run.links_of("I").into_iter().map(|(_, n, _)| n).collect();
    assert_eq!(names, vec!["A1", "A2", "B1", "Vpc", "D1"]);
}

#[test]
fn sam_transform_keeps_serverless_types_without_warning() {
    let run = run(concat!(
        "Transform: AWS::Serverless-2016-10-31\n",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
    ));
    assert!(run.adapted.diagnostics.is_empty(), "{:?}", run.messages());
    assert_eq!(
        run.adapted.resources[0].0.type_name,
        "AWS::Serverless::Function"
    );

    let listed = run_codes(concat!(
        "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n",
    ));
    assert!(listed.is_empty(), "{listed:?}");

    let missing = super::tests::run("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n");
    assert_eq!(missing.codes(), vec!["cloudformation::sam"]);
    assert_eq!(missing.adapted.resources.len(), 1);
}

fn run_codes(text: &str) -> Vec<&'static str> {
    run(text).codes()
}

#[test]
fn other_transforms_are_warnings_at_the_transform() {
    let run = run(concat!(
        "Transform:\n  - AWS::Serverless-2016-10-31\n  - MyMacro\n",
        "  - Name: AWS::Include\n    Parameters: {Location: 's3://b/snippet.yaml'}\n",
        "Resources:\n  R:\n    Type: T::T::T\n",
    ));
    let messages = run.messages();
    assert_eq!(run.codes(), vec!["cloudformation::transform"; 2]);
    assert!(messages[0].contains("`MyMacro` transform") && messages[0].ends_with("@ MyMacro"));
    assert!(
        messages[1].contains("from `s3://b/snippet.yaml`"),
        "{messages:?}"
    );
    assert!(run.adapted.diagnostics[0].help.is_some());
}

#[test]
fn fn_transform_and_for_each_are_warnings_where_they_are_used() {
    let run = run(concat!(
        "Transform: AWS::LanguageExtensions\n",
        "Resources:\n",
        "  Fn::Transform:\n    Name: AWS::Include\n    Parameters:\n      Location: s3://b/resources.yaml\n",
        "  'Fn::ForEach::Topics':\n    - Name\n    - [a, b]\n    - 'Topic${Name}':\n        Type: AWS::SNS::Topic\n",
        "  R:\n    Type: T::T::T\n    Properties:\n      Tags:\n        - Fn::Transform:\n            Name: AddTags\n            Parameters: {Owner: !Ref Team}\n",
        "      Other:\n        Keep: 1\n        Fn::Transform: {Name: Inline}\n",
    ));
    let messages = run.messages();
    assert_eq!(
        run.codes(),
        vec![
            "cloudformation::transform",
            "cloudformation::foreach",
            "cloudformation::transform",
            "cloudformation::transform",
        ],
        "{messages:?}"
    );
    assert!(
        messages[0]
            .contains("`AWS::Include` (from `s3://b/resources.yaml`) on the `Resources` section"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("`Fn::ForEach::Topics` in the `Resources` section"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("`AddTags` on `Properties.Tags[0]` of resource `R`"),
        "{messages:?}"
    );
    assert!(
        messages[3].contains("`Inline` on `Properties.Other` of resource `R`"),
        "{messages:?}"
    );
    assert_eq!(run.links_of("R"), vec![r(REF, "Team", "!Ref Team")]);
    assert_eq!(run.adapted.resources.len(), 1);
}

#[test]
fn malformed_resources_are_errors_and_skipped() {
    let run = run(concat!(
        "Resources:\n",
        "  NoType:\n    Properties: {}\n",
        "  NumberType:\n    Type: 3\n",
        "  EmptyType:\n    Type: ''\n",
        "  Scalar: hello\n",
        "  Good:\n    Type: T::T::T\n    DependsOn: NoType\n",
    ));
    let messages = run.messages();
    assert_eq!(
        run.codes(),
        vec!["cloudformation::resource"; 4],
        "{messages:?}"
    );
    assert!(
        messages[0].contains("`NoType` has no `Type`")
            && messages[0].ends_with("@ NoType:\n    Properties: {}")
    );
    assert!(messages[1].contains("not the number `3`") && messages[1].ends_with("@ 3"));
    assert!(messages[2].contains("not an empty string"), "{messages:?}");
    assert!(messages[3].contains("is a string"), "{messages:?}");
    let nodes: Vec<&str> = run
        .adapted
        .resources
        .iter()
        .map(|(r, _)| r.local_name.as_str())
        .collect();
    assert_eq!(nodes, vec!["Good"]);
    assert!(
        run.adapted
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Error)
    );
}

#[test]
fn malformed_templates_are_diagnostics() {
    assert_eq!(run_codes("- a\n- b\n"), vec!["cloudformation::template"]);
    assert_eq!(
        run_codes("AWSTemplateFormatVersion: '2010-09-09'\n"),
        vec!["cloudformation::no-resources"]
    );
    assert_eq!(
        run_codes("Resources: {}\n"),
        vec!["cloudformation::no-resources"]
    );
    assert_eq!(
        run_codes("Resources: [a]\n"),
        vec!["cloudformation::section"]
    );
    assert_eq!(
        run_codes("Resources:\n  R: {Type: T::T::T}\nParameters: 3\nOutputs: [x]\nResource: {}\n"),
        vec![
            "cloudformation::section",
            "cloudformation::section",
            "cloudformation::unknown-section"
        ]
    );
    assert_eq!(
        run_codes(concat!(
            "Parameters:\n  Dup: {Type: String}\n  NoType: {Default: x}\n",
            "Resources:\n  Dup: {Type: T::T::T}\n  bad-id: {Type: T::T::T}\n",
            "Outputs:\n  NoValue: {Export: {Name: x}}\n  Scalar: !Ref Dup\n",
        )),
        vec![
            "cloudformation::parameter",
            "cloudformation::duplicate-id",
            "cloudformation::logical-id",
            "cloudformation::output",
            "cloudformation::output",
        ]
    );
    assert_eq!(
        run_codes("Transform: [3]\nResources:\n  R: {Type: T::T::T}\n"),
        vec!["cloudformation::transform"]
    );
}

#[test]
fn the_missing_resources_error_points_at_the_start_of_the_template() {
    let run = run("\n\nDescription: x\n");
    let span = run.adapted.diagnostics[0].span.expect("span");
    assert_eq!(run.files.start_of(span).line, 3);
}

/// A resource's finished `Properties`, as JSON (unknowns as `{"$unknown": …}`).
fn properties(run: &Run, id: &str) -> serde_json::Value {
    let (resource, _) = run
        .adapted
        .resources
        .iter()
        .find(|(r, _)| r.local_name == id)
        .expect("resource");
    resource
        .attributes
        .get("Properties")
        .expect("properties")
        .to_json()
}

#[test]
fn intrinsics_leave_the_adapter_finished() {
    let r = run(r#"
Parameters:
  Env: {Type: String, Default: prod}
  Subnets: {Type: CommaDelimitedList, Default: "a,b"}
  Open: {Type: String}
Conditions:
  Never: !Equals [x, y]
  IsProd: !Equals [!Ref Env, prod]
  Loop: !Not [{Condition: Loop}]
Mappings:
  Sizes: {prod: {Size: large}}
Resources:
  Key: {Type: AWS::KMS::Key}
  R:
    Type: AWS::X::Y
    Properties:
      Name: !Sub "${Env}-logs-${!Literal}"
      Arn: !Sub "arn:aws:s3:::${Key.Arn}/*"
      Size: !FindInMap [Sizes, !Ref Env, Size]
      First: !Select [1, !Ref Subnets]
      Joined: !Join ["-", [a, !Ref Env]]
      Partial: !Join [":", [a, !Ref AWS::Region]]
      Split: !Split [",", "p,q"]
      Decided: !If [Never, yes, no] # YAML 1.1 booleans, as CloudFormation reads them
      Either: !If [IsProd, 1, 2]
      Looped: !If [Loop, 1, 2]
      Removed: !Ref AWS::NoValue
      Input: !Ref Open
      Imported: !ImportValue Shared
      Data: !Base64 "echo hi"
"#);
    assert_eq!(
        properties(&r, "R"),
        serde_json::json!({
            "Name": "prod-logs-${Literal}",
            "Arn": {"$unknown": "Fn::Sub arn:aws:s3:::${Key.Arn}/*"},
            "Size": "large",
            "First": "b",
            "Joined": "a-prod",
            "Partial": {"$unknown": "Fn::Join"},
            "Split": ["p", "q"],
            "Decided": false,
            "Either": {"$one_of": [1, 2]},
            "Looped": {"$one_of": [1, 2]},
            "Removed": null,
            "Input": {"$unknown": "Ref Open"},
            "Imported": {"$unknown": "Fn::ImportValue Shared"},
            "Data": "echo hi",
        })
    );
    let (resource, _) = &r
        .adapted
        .resources
        .iter()
        .find(|(r, _)| r.local_name == "R")
        .expect("R");
    let property = |key: &str| resource.attributes.at(&["Properties", key]).expect(key);
    // A parameter's default is the value, resolved from where the default is written.
    let name = property("Name");
    assert_eq!(
        r.text(name.provenance.definition().expect("resolved")),
        "prod"
    );
    // An unknown string keeps its known text and says what it waits for.
    let Value::Unknown(arn) = &property("Arn").value else {
        panic!("unknown")
    };
    assert!(
        matches!(arn.pieces.first(), Some(crate::value::Piece::Text(t)) if t == "arn:aws:s3:::")
    );
    assert!(matches!(arn.pieces.last(), Some(crate::value::Piece::Text(t)) if t == "/*"));
    assert_eq!(
        arn.depends_on
            .iter()
            .map(|d| d.on.clone())
            .collect::<Vec<_>>(),
        [crate::value::DependsOn::Resource {
            name: "Key".into(),
            attribute: Some("Arn".into())
        }]
    );
    let Value::Unknown(input) = &property("Input").value else {
        panic!("unknown")
    };
    assert_eq!(
        input
            .depends_on
            .iter()
            .map(|d| d.on.clone())
            .collect::<Vec<_>>(),
        [crate::value::DependsOn::Input {
            name: "Open".into()
        }]
    );
    assert_eq!(
        property("Removed").provenance,
        crate::value::Provenance::Default
    );
}
