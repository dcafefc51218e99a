package org.companion.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * Validates FHIR R4 JSON files, one JVM for all of them. Prints every error and the count of
 * warnings per file, then "N files, N errors, N warnings"; exits 1 when any file has an error.
 */
public final class Validate {
    private Validate() {}

    public static void main(String[] args) throws Exception {
        FhirContext ctx = FhirContext.forR4();
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(ctx),
                new SnapshotGeneratingValidationSupport(ctx),
                new InMemoryTerminologyServerValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx));
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        // Offline: codes from external systems (LOINC, SNOMED, UCUM display) cannot be looked
        // up, which is a warning, not an error.
        module.setAnyExtensionsAllowed(true);
        FhirValidator validator = ctx.newValidator().registerValidatorModule(module);
        int errors = 0;
        int warnings = 0;
        boolean verbose = System.getenv("FHIR_VALIDATE_VERBOSE") != null;
        for (String arg : args) {
            String text = Files.readString(Path.of(arg), StandardCharsets.UTF_8);
            long start = System.nanoTime();
            ValidationResult result = validator.validateWithResult(text);
            long ms = (System.nanoTime() - start) / 1_000_000;
            int fileErrors = 0;
            int fileWarnings = 0;
            for (SingleValidationMessage m : result.getMessages()) {
                ResultSeverityEnum s = m.getSeverity();
                boolean error = s == ResultSeverityEnum.ERROR || s == ResultSeverityEnum.FATAL;
                if (error) {
                    fileErrors++;
                } else if (s == ResultSeverityEnum.WARNING) {
                    fileWarnings++;
                }
                if (error || verbose) {
                    System.out.println(arg + ": " + s + " " + m.getLocationString() + ": " + m.getMessage());
                }
            }
            System.out.println(arg + ": " + fileErrors + " errors, " + fileWarnings + " warnings (" + ms + " ms)");
            errors += fileErrors;
            warnings += fileWarnings;
        }
        System.out.println(args.length + " files, " + errors + " errors, " + warnings + " warnings");
        System.exit(errors == 0 ? 0 : 1);
    }
}
