/* Story editor: suggestions of existing tags for the tag currently being typed (the body's
   writing surface is static/editor/story-editor.js). No dependencies. */
(function () {
  "use strict";

  function setUpTagSuggestions(input) {
    var wrapper = document.createElement("span");
    wrapper.className = "tag-autocomplete-wrapper";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.className = "tag-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrapper.appendChild(list);
    var timer = null;
    var active = -1;

    function tokens() {
      return input.value.split(",").map(function (token) {
        return token.trim().replace(/^"|"$/g, "").toLowerCase();
      });
    }

    function hide() {
      list.hidden = true;
      active = -1;
    }

    function choose(name) {
      var parts = input.value.split(",");
      var quoted = name.indexOf(",") === -1 ? name : '"' + name + '"';
      parts[parts.length - 1] = (parts.length > 1 ? " " : "") + quoted;
      input.value = parts.join(",") + ", ";
      hide();
      input.focus();
    }

    function highlight(index) {
      var items = list.querySelectorAll("li");
      active = Math.max(-1, Math.min(index, items.length - 1));
      items.forEach(function (item, position) {
        item.setAttribute("aria-selected", position === active ? "true" : "false");
      });
    }

    function show(names) {
      var typed = tokens();
      var fresh = names.filter(function (name) {
        return typed.indexOf(name.toLowerCase()) === -1;
      });
      list.replaceChildren();
      fresh.forEach(function (name) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.textContent = name;
        // mousedown fires before the input loses focus and hides the list.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(name);
        });
        list.appendChild(item);
      });
      list.hidden = fresh.length === 0;
      active = -1;
    }

    function suggest() {
      var query = tokens().pop();
      if (!query) {
        hide();
        return;
      }
      var url = input.dataset.autocompleteUrl + "?" + new URLSearchParams({ q: query });
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (payload) {
          show(payload.results);
        })
        .catch(hide);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    input.addEventListener("blur", hide);
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      var items = list.querySelectorAll("li");
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        // Enter picks the suggestion instead of submitting the form.
        event.preventDefault();
        choose(items[active].textContent);
      } else if (event.key === "Escape") {
        hide();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.tag-autocomplete").forEach(setUpTagSuggestions);
  });
})();
