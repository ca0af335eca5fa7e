/**
 * Every user-facing message, SQLSTATE and vendor-code classification, and password masking. Not API.
 */
package io.atomic4j.internal.errors;
