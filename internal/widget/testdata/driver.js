/* Drives the widget in browser_test.go and writes what happened into
   <pre id="log">, which the test reads from chromium's --dump-dom output. */
(function () {
	"use strict";
	var log = document.createElement("pre");
	log.id = "log";
	document.body.appendChild(log);
	function note(line) {
		log.textContent += line + "\n";
	}
	function offer(id) {
		return document.querySelector('[data-kairo-offer="' + id + '"]');
	}
	window.addEventListener("error", function (e) {
		note("error " + e.message);
	});
	["kairo:accepted", "kairo:declined", "kairo:failed", "kairo:expired"].forEach(function (name) {
		document.addEventListener(name, function (e) {
			note("event " + name + " " + e.detail.offerId + " " + e.detail.status + " " + e.detail.total);
		});
	});

	// A double click plus a scripted submit: one request may leave.
	var ok = offer("ok").querySelector(".kairo-accept");
	ok.click();
	note("after click ok " + offer("ok").getAttribute("data-kairo-state") + " disabled=" + ok.disabled + " label=" + ok.textContent);
	ok.click();
	offer("ok").querySelector('form[data-kairo-action="accept"]').requestSubmit();
	["oos", "broken", "offline", "busy", "again", "cartok"].forEach(function (id) {
		offer(id).querySelector(".kairo-accept").click();
	});
	offer("declineme").querySelector(".kairo-decline").click();
	offer("bye").querySelector(".kairo-decline").click();
	note("after decline declineme hidden=" + offer("declineme").hidden);
})();
