/* Conduct Portal: the two things GOV.UK forms do with script, and work without it.
 *
 * Error summary: when a page opens with one (templates/_partials/error_summary.html), focus
 * moves to it so a screen reader reads the problems first; following one of its links puts
 * focus in the field and scrolls its label or legend into view with it, rather than the
 * bare input.
 *
 * Conditional questions: a block marked data-shown-when="name=value" (several values with
 * commas) shows only while an input of that name in the same form holds one of the values
 * (a ticked checkbox holds "on"). The inputs that reveal a block name it in aria-controls
 * (not aria-expanded, which ARIA does not allow on radios and tick boxes). Without script
 * every block shows, under a line that says when it applies, and the server checks only
 * the answers that apply.
 */
(function () {
  "use strict";

  function focusErrorSummary() {
    const summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      const input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) {
        return;
      }
      event.preventDefault();
      const legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
      const label = document.querySelector("label[for='" + input.id + "']");
      const heading = input.type === "radio" || input.type === "checkbox" ? legend || label : label || legend;
      (heading || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  function conditions(block) {
    const [name, values] = block.dataset.shownWhen.split("=");
    return { name: name, values: values.split(",") };
  }

  function holds(form, name, values) {
    return Array.from(form.elements).some(function (input) {
      if (input.name !== name) {
        return false;
      }
      if (input.type === "radio" || input.type === "checkbox") {
        return input.checked && values.includes(input.value);
      }
      return values.includes(input.value);
    });
  }

  function revealIn(form) {
    const blocks = Array.from(form.querySelectorAll("[data-shown-when]"));
    if (!blocks.length) {
      return;
    }
    function update() {
      blocks.forEach(function (block) {
        const when = conditions(block);
        const shown = holds(form, when.name, when.values);
        block.hidden = !shown;
        Array.from(form.elements).forEach(function (input) {
          if (input.name === when.name && when.values.includes(input.value)) {
            const controls = (input.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
            if (!controls.includes(block.id)) {
              controls.push(block.id);
              input.setAttribute("aria-controls", controls.join(" "));
            }
          }
        });
      });
    }
    form.addEventListener("change", update);
    update();
  }

  /* Grounds for the platform chosen: a list marked data-grounds-for-platform, whose
   * data-platform-categories pairs each platform's value with its category ("3=print"),
   * shows only the items whose data-categories hold the chosen platform's category (an
   * item with none bears on every category), and every item while no platform is
   * chosen. Without script the server has shown those for the platform saved. */
  function groundsIn(form) {
    const hint = form.querySelector("[data-grounds-for-platform]");
    const platform = form.elements.namedItem("platform");
    if (!hint || !platform) {
      return;
    }
    const categoryOf = {};
    hint.dataset.platformCategories.split(" ").filter(Boolean).forEach(function (pair) {
      const [value, category] = pair.split("=");
      categoryOf[value] = category;
    });
    function update() {
      const category = categoryOf[platform.value] || "";
      hint.querySelectorAll("li[data-categories]").forEach(function (item) {
        const bearsOn = item.dataset.categories.split(" ").filter(Boolean);
        item.hidden = Boolean(category) && bearsOn.length > 0 && !bearsOn.includes(category);
      });
    }
    platform.addEventListener("change", update);
    update();
  }

  function start() {
    if (document.querySelector("[data-shown-when]")) {
      document.documentElement.classList.add("js-reveals");
    }
    focusErrorSummary();
    document.querySelectorAll("form").forEach(revealIn);
    document.querySelectorAll("form").forEach(groundsIn);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
