"""HL7 FHIR R4: questionnaires from the item bank, responses in and out, assessment and
export bundles.  Everything here is pure: resources in, resources (plain dicts) out."""
