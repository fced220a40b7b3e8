/* The script of the formgrader's submission page (grading/render/templates/formgrade_guarded/), which has no inline script.
 *
 * nbgrader's own page sets these globals and handlers in inline <script> blocks and onclick
 * attributes. The course's page forbids every inline script (Content-Security-Policy, set by
 * grading/render/formgrader_guard.py), so that nothing a student wrote can run there; this file, loaded
 * from the server like nbgrader's own scripts, does what those blocks did. It must come before
 * nbgrader's formgrade.js, which reads base_url and submission_id when it loads.
 */
var formgrade_data = JSON.parse(document.getElementById("formgrade-data").textContent);
var submission_id = formgrade_data.submission_id;
var notebook_id = formgrade_data.notebook_id;
var assignment_id = formgrade_data.assignment_id;
var base_url = formgrade_data.base_url + "/formgrader";

// nbgrader's formgrade.js waits for MathJax's end of typesetting before it selects the first
// input. The page loads no MathJax (its formulas are MathML already): typesetting is over.
if (typeof MathJax === "undefined") {
  var MathJax = {Hub: {Startup: {signal: {Interest: function (callback) {
    $(function () { callback("End"); });
  }}}}};
}

function toggle_name(on) {
  $(".name-shown").tooltip('hide');
  $(".name-hidden").tooltip('hide');
  if (on) {
    $(".name-shown").show();
    $(".name-hidden").hide();
  } else {
    $(".name-hidden").show();
    $(".name-shown").hide();
  }
}

$(document).ready(function () {
  // only the navigation bar's links, never an element of the notebook
  $("nav.navbar [data-link]").each(function () {
    $(this).map(linkTo("notebook", $(this).data("link"))).removeAttr("data-link");
  });
  $("nav.navbar span.glyphicon.name-hidden")
    .tooltip({title: "Show student name", placement: "bottom", trigger: "hover"})
    .on("click", function () { toggle_name(true); });
  $("nav.navbar span.glyphicon.name-shown")
    .tooltip({title: "Hide student name", placement: "bottom", trigger: "hover"})
    .on("click", function () { toggle_name(false); });
});
