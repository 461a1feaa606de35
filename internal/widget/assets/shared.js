/*
 * Helpers shared by widget.js and prepurchase.js. Never served on its own:
 * each of the two scripts carries a copy inside its own function scope, put
 * where its marker line "kairo:shared.js" stands when the script is loaded
 * (internal/widget/assets.go), so neither leaks into the page's globals.
 */

// FAILED are the words for an answer that says nothing itself.
var FAILED = {
	network: "We couldn't reach the store. Please check your connection and try again.",
	unknown: "Sorry, something went wrong. Please try again."
};

// mount moves the widget into the element named by data-kairo-mount; a
// store that renders that element late gets a second try at "load".
function mount(root) {
	var selector = root.getAttribute("data-kairo-mount");
	if (!selector || moveInto(root, selector) || document.readyState === "complete") {
		return;
	}
	window.addEventListener("load", function () {
		moveInto(root, selector);
	});
}

// moveInto reports whether there is nothing more to try.
function moveInto(root, selector) {
	var target;
	try {
		target = document.querySelector(selector);
	} catch (e) {
		return true; // not a valid selector: stay where injected
	}
	if (!target) {
		return false;
	}
	if (!root.contains(target)) {
		target.appendChild(root);
		root.setAttribute("data-kairo-mounted", "");
	}
	return true;
}

// postJSON sends body as JSON to one of Kairo's endpoints and always
// resolves to an answer object: the server's, or
// {status: "network"|"unknown"} when there is none.
function postJSON(url, body, keepalive) {
	return fetch(url, {
		method: "POST",
		credentials: "same-origin",
		keepalive: !!keepalive,
		headers: { "Content-Type": "application/json", "Accept": "application/json" },
		body: JSON.stringify(body)
	}).then(function (response) {
		return response.json().then(function (answer) {
			return answer && typeof answer === "object" ? answer : { ok: false, status: "unknown" };
		}, function () {
			return { ok: false, status: "unknown" };
		});
	}, function () {
		return { ok: false, status: "network" };
	});
}

// answerText is what to tell the customer about an answer: the server's
// message, else success (when given) for a good answer, else why it failed.
function answerText(answer, success) {
	if (typeof answer.message === "string" && answer.message) {
		return answer.message;
	}
	if (answer.ok && success) {
		return success;
	}
	return answer.status === "network" ? FAILED.network : FAILED.unknown;
}

// report puts text into the aria-live region of scope (an offer, or a
// widget with one region).
function report(scope, text, kind) {
	var status = scope.querySelector("[data-kairo-status]");
	if (status) {
		status.className = "kairo-status" + (kind ? " kairo-status--" + kind : "");
		status.textContent = text;
	}
	return status;
}

// value is a form field's value, "" when the form has no such field.
function value(form, name) {
	var field = form.elements.namedItem(name);
	return field ? field.value : "";
}
