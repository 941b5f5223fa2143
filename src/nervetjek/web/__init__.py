"""Web: server-rendered pages (patient, content, clinic), the JSON API and FHIR routes."""
