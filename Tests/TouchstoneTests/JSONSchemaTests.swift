import Foundation
import Testing
import TouchstoneCore

@Suite struct JSONSchemaTests {
    private func errors(_ instance: String, _ schema: String) throws -> [JSONSchemaError] {
        JSONSchemaValidator.validate(try JSONParser.parse(instance), against: try JSONParser.parse(schema))
    }

    private func valid(_ instance: String, _ schema: String) throws -> Bool {
        try errors(instance, schema).isEmpty
    }

    /// The structured-output probe: the only valid instance is improbable.
    static let adversarial = #"""
        {"type": "object",
         "properties": {"zq": {"type": "string", "enum": ["XK-7731"]}, "n": {"type": "integer", "enum": [42]}},
         "required": ["zq", "n"], "additionalProperties": false}
        """#

    @Test func adversarialStructuredOutputSchema() throws {
        #expect(try valid(#"{"zq": "XK-7731", "n": 42}"#, Self.adversarial))
        #expect(try valid(#"{"n": 42.0, "zq": "XK-7731"}"#, Self.adversarial))

        let wrongValue = try errors(#"{"zq": "XK-7732", "n": 42}"#, Self.adversarial)
        #expect(wrongValue.map(\.instancePath) == ["$.zq"])
        #expect(wrongValue.first?.keyword == "enum")
        #expect(wrongValue.first?.message.contains("XK-7731") == true)

        let missing = try errors(#"{"zq": "XK-7731"}"#, Self.adversarial)
        #expect(missing.count == 1)
        #expect(missing.first?.instancePath == "$")
        #expect(missing.first?.keyword == "required")
        #expect(missing.first?.message.contains("'n'") == true)

        let extra = try errors(#"{"zq": "XK-7731", "n": 42, "note": "hi"}"#, Self.adversarial)
        #expect(extra.map(\.keyword) == ["additionalProperties"])
        #expect(extra.first?.instancePath == "$.note")

        let wrongType = try errors(#"{"zq": "XK-7731", "n": "42"}"#, Self.adversarial)
        #expect(Set(wrongType.map(\.keyword)) == ["type", "enum"])
        #expect(wrongType.allSatisfy { $0.instancePath == "$.n" })

        #expect(try !valid(#"{"answer": "hello"}"#, Self.adversarial))
        #expect(try !valid(#"["XK-7731", 42]"#, Self.adversarial))
        #expect(try !valid(#""XK-7731""#, Self.adversarial))
    }

    @Test func types() throws {
        #expect(try valid("5", #"{"type": "integer"}"#))
        #expect(try valid("5.0", #"{"type": "integer"}"#))
        #expect(try !valid("5.5", #"{"type": "integer"}"#))
        #expect(try valid("5.5", #"{"type": "number"}"#))
        #expect(try valid("5", #"{"type": "number"}"#))
        #expect(try !valid("true", #"{"type": "integer"}"#))
        #expect(try !valid("1", #"{"type": "boolean"}"#))
        #expect(try !valid("\"5\"", #"{"type": "number"}"#))
        #expect(try valid("null", #"{"type": ["string", "null"]}"#))
        #expect(try !valid("0", #"{"type": ["string", "null"]}"#))
        #expect(try valid("{}", #"{"type": "object"}"#))
        #expect(try !valid("[]", #"{"type": "object"}"#))
        let e = try errors("[1]", #"{"type": ["string", "null"]}"#)
        #expect(e.first?.message == "expected one of string, null, got array")
    }

    @Test func enumAndConstCompareNumbersByValue() throws {
        #expect(try valid("42.0", #"{"enum": [42]}"#))
        #expect(try valid("1", #"{"const": 1.0}"#))
        #expect(try valid(#"{"a": [1, {"b": 2}]}"#, #"{"const": {"a": [1.0, {"b": 2}]}}"#))
        #expect(try !valid(#"{"a": [1, {"b": 3}]}"#, #"{"const": {"a": [1, {"b": 2}]}}"#))
        #expect(try !valid("true", #"{"enum": [1, "true", null]}"#))
        #expect(try !valid("false", #"{"const": 0}"#))
    }

    @Test func objectKeywords() throws {
        let schema = #"""
            {"properties": {"a": {"type": "string"}},
             "patternProperties": {"^x-": {"type": "integer"}},
             "additionalProperties": {"type": "boolean"},
             "minProperties": 1, "maxProperties": 3}
            """#
        #expect(try valid(#"{"a": "s", "x-1": 1, "other": true}"#, schema))
        #expect(try errors(#"{"x-1": "no"}"#, schema).map(\.instancePath) == ["$['x-1']"])
        #expect(try errors(#"{"other": 1}"#, schema).map(\.instancePath) == ["$.other"])
        #expect(try errors("{}", schema).map(\.keyword) == ["minProperties"])
        #expect(try errors(#"{"a":"","b":true,"c":true,"d":true}"#, schema).map(\.keyword) == ["maxProperties"])
        // additionalProperties: true and absent allow anything.
        #expect(try valid(#"{"z": 1}"#, #"{"properties": {"a": {}}, "additionalProperties": true}"#))
        #expect(try valid(#"{"z": 1}"#, #"{"properties": {"a": {}}}"#))
    }

    @Test func arrayKeywords() throws {
        #expect(try valid("[1, 2]", #"{"items": {"type": "integer"}, "minItems": 1, "maxItems": 2}"#))
        #expect(try errors("[1, \"x\"]", #"{"items": {"type": "integer"}}"#).map(\.instancePath) == ["$[1]"])
        #expect(try errors("[]", #"{"minItems": 1}"#).map(\.keyword) == ["minItems"])
        #expect(try errors("[1,2,3]", #"{"maxItems": 2}"#).map(\.keyword) == ["maxItems"])
        let tuple = #"{"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}"#
        #expect(try valid(#"["a", 1]"#, tuple))
        #expect(try valid(#"["a"]"#, tuple))
        #expect(try errors(#"[1, 1]"#, tuple).map(\.instancePath) == ["$[0]"])
        #expect(try errors(#"["a", 1, 2]"#, tuple).map(\.instancePath) == ["$[2]"])
        // Draft-4 tuple form.
        #expect(try !valid(#"["a", "b"]"#, #"{"items": [{"type": "string"}, {"type": "integer"}]}"#))
        #expect(try !valid(#"["a", 1, 2]"#, #"{"items": [{}, {}], "additionalItems": false}"#))
        #expect(try valid("[1, 2]", #"{"uniqueItems": true}"#))
        #expect(try !valid("[1, 1.0]", #"{"uniqueItems": true}"#))
        #expect(try valid(#"[1, "x"]"#, #"{"contains": {"type": "string"}}"#))
        #expect(try !valid("[1, 2]", #"{"contains": {"type": "string"}}"#))
    }

    @Test func stringKeywords() throws {
        #expect(try valid("\"abc\"", #"{"minLength": 3, "maxLength": 3}"#))
        #expect(try valid("\"😀é\"", #"{"maxLength": 2}"#))  // counted in code points
        #expect(try errors("\"ab\"", #"{"minLength": 3}"#).map(\.keyword) == ["minLength"])
        #expect(try errors("\"abcd\"", #"{"maxLength": 3}"#).map(\.keyword) == ["maxLength"])
        #expect(try valid("\"XK-7731\"", #"{"pattern": "^[A-Z]{2}-\\d{4}$"}"#))
        #expect(try valid("\"say XK-7731 now\"", #"{"pattern": "[A-Z]{2}-\\d{4}"}"#))  // unanchored
        #expect(try errors("\"xk-7731\"", #"{"pattern": "^[A-Z]{2}-\\d{4}$"}"#).map(\.keyword) == ["pattern"])
        #expect(try errors("\"a\"", #"{"pattern": "(unclosed"}"#).first?.message.contains("not a valid") == true)
        #expect(try valid("5", #"{"minLength": 3}"#))  // string keywords ignore other types
    }

    @Test func numericKeywords() throws {
        #expect(try valid("5", #"{"minimum": 5, "maximum": 5}"#))
        #expect(try !valid("4.999", #"{"minimum": 5}"#))
        #expect(try !valid("5.001", #"{"maximum": 5}"#))
        #expect(try !valid("5", #"{"exclusiveMinimum": 5}"#))
        #expect(try valid("5.5", #"{"exclusiveMinimum": 5}"#))
        #expect(try !valid("5", #"{"exclusiveMaximum": 5}"#))
        #expect(try !valid("5", #"{"minimum": 5, "exclusiveMinimum": true}"#))  // draft 4
        #expect(try !valid("5", #"{"maximum": 5, "exclusiveMaximum": true}"#))
        #expect(try valid("9223372036854775807", #"{"maximum": 9223372036854775807}"#))
        #expect(try valid("10", #"{"multipleOf": 5}"#))
        #expect(try !valid("11", #"{"multipleOf": 5}"#))
        #expect(try valid("0.3", #"{"multipleOf": 0.1}"#))
        #expect(try valid("\"5\"", #"{"minimum": 10}"#))
    }

    @Test func combinators() throws {
        let anyOf = #"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#
        #expect(try valid("\"x\"", anyOf))
        #expect(try valid("1", anyOf))
        let e = try errors("true", anyOf)
        #expect(e.map(\.keyword) == ["anyOf"])
        #expect(e.first?.message.contains("none of the 2") == true)

        let oneOf = #"{"oneOf": [{"type": "integer"}, {"minimum": 0}]}"#
        #expect(try valid("-1", oneOf))
        #expect(try valid("0.5", oneOf))
        #expect(try errors("1", oneOf).first?.message.contains("matches 2") == true)
        #expect(try errors("-0.5", oneOf).first?.message.contains("none") == true)

        #expect(try valid("1", #"{"allOf": [{"type": "integer"}, {"minimum": 0}]}"#))
        #expect(try errors("-1.5", #"{"allOf": [{"type": "integer"}, {"minimum": 0}]}"#).count == 2)
        #expect(try !valid("1", #"{"not": {"type": "integer"}}"#))
        #expect(try valid("\"1\"", #"{"not": {"type": "integer"}}"#))
        let cond = #"{"if": {"type": "integer"}, "then": {"minimum": 0}, "else": {"type": "string"}}"#
        #expect(try valid("3", cond))
        #expect(try !valid("-3", cond))
        #expect(try valid("\"s\"", cond))
        #expect(try !valid("true", cond))
    }

    @Test func refsToDefsAndDefinitions() throws {
        let schema = ##"""
            {"$defs": {"code": {"type": "string", "enum": ["XK-7731"]},
                       "node": {"type": "object", "properties": {"v": {"type": "integer"},
                                "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}},
                                "required": ["v"]}},
             "definitions": {"n": {"const": 42}, "a/b": {"type": "boolean"}},
             "properties": {"zq": {"$ref": "#/$defs/code"}, "n": {"$ref": "#/definitions/n"},
                            "list": {"$ref": "#/$defs/node"}, "flag": {"$ref": "#/definitions/a~1b"}}}
            """##
        #expect(try valid(#"{"zq": "XK-7731", "n": 42, "list": {"v": 1, "next": {"v": 2, "next": null}}, "flag": true}"#, schema))
        #expect(try errors(#"{"zq": "nope"}"#, schema).map(\.instancePath) == ["$.zq"])
        #expect(try errors(#"{"n": 41}"#, schema).map(\.keyword) == ["const"])
        #expect(try errors(#"{"flag": 1}"#, schema).map(\.instancePath) == ["$.flag"])
        #expect(try !valid(#"{"list": {"v": 1, "next": {"next": null}}}"#, schema))

        let unresolved = try errors("1", ##"{"$ref": "#/$defs/missing"}"##)
        #expect(unresolved.map(\.keyword) == ["$ref"])
        // A cycle without progress terminates with an error instead of recursing forever.
        let cycle = try errors("1", ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        #expect(cycle.first?.keyword == "$ref")
    }

    @Test func booleanSchemasAndUnknownKeywords() throws {
        #expect(try valid("1", "true"))
        #expect(try !valid("1", "false"))
        #expect(try valid("1", "{}"))
        #expect(try valid("\"x\"", #"{"format": "email", "title": "t", "x-custom": 1, "description": "d"}"#))
        #expect(try errors(#"{"a": 1}"#, #"{"properties": {"a": false}}"#).map(\.instancePath) == ["$.a"])
    }

    @Test func nestedInstancePaths() throws {
        let schema = #"{"properties": {"choices": {"items": {"properties": {"a.b": {"type": "string"}}}}}}"#
        let e = try errors(#"{"choices": [{"a.b": "ok"}, {"a.b": 1}]}"#, schema)
        #expect(e.map(\.instancePath) == ["$.choices[1]['a.b']"])
        #expect(e.first?.description == "$.choices[1]['a.b']: expected string, got integer")
    }

    @Test func toolArgumentSchema() throws {
        let schema = #"""
            {"type": "object", "properties": {"city": {"type": "string", "minLength": 1},
             "unit": {"type": "string", "enum": ["c", "f"]}}, "required": ["city"], "additionalProperties": false}
            """#
        let validator = JSONSchemaValidator(schema: try JSONParser.parse(schema))
        #expect(validator.isValid(try JSONParser.parse(#"{"city": "Paris", "unit": "c"}"#)))
        #expect(!validator.isValid(try JSONParser.parse(#"{"city": ""}"#)))
        #expect(!validator.isValid(try JSONParser.parse(#"{"city": "Paris", "unit": "k"}"#)))
        #expect(!validator.isValid(.null))
    }
}
