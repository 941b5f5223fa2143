// Load /fhir/Questionnaire/<id> from the app and hand it to LHC-Forms.
// Patients do not see scores (displayScoreWithAnswerText false); ?scores=1 turns them on
// so a test can show that the weights did reach LHC-Forms.
(async () => {
  const status = document.getElementById("status");
  try {
    const params = new URLSearchParams(location.search);
    const id = params.get("q") || "intake";
    const response = await fetch(`/fhir/Questionnaire/${id}`);
    const questionnaire = await response.json();
    await LForms.Util.addFormToPage(questionnaire, "formContainer", {
      displayScoreWithAnswerText: params.get("scores") === "1",
    });
    status.textContent = "ready";
  } catch (error) {
    status.textContent = `error: ${error}`;
  }
})();
