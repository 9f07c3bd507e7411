// SPDX-License-Identifier: Apache-2.0
// The frame of every screen: a title and content that scrolls when the
// on-screen keyboard leaves too little room, keeping the field being typed in
// visible. While the keyboard is up the owner sets `compact`, which trades
// the large title and margins for room: on the 800×480 screen the keyboard
// takes more than half of the height.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls

Flickable {
    id: root

    property string title
    property bool compact: false
    default property alias content: column.data
    property alias spacing: column.spacing
    readonly property int pageMargin: compact ? Math.round(Theme.margin / 2) : Theme.margin

    clip: true
    contentWidth: width
    contentHeight: column.implicitHeight + 2 * pageMargin
    boundsBehavior: Flickable.StopAtBounds
    ScrollIndicator.vertical: ScrollIndicator {}

    // Scrolls so that `item` (a descendant) is in view. When the item sits
    // in a group (a direct child of the page, e.g. a field with its label and
    // its message) and the group fits, the whole group is shown: the label
    // says what to type, the message whether it is right.
    function ensureVisible(item: Item) {
        if (!item || !root.visible)
            return;
        let group = null;
        for (let up = item; up; up = up.parent) {
            if (up.parent === column) {
                group = up;
                break;
            }
        }
        if (!group)
            return; // not on this page
        const target = group.height + 2 * root.pageMargin <= root.height ? group : item;
        const top = target.mapToItem(column, 0, 0).y + column.y;
        const bottom = top + target.height;
        const maxY = Math.max(0, root.contentHeight - root.height);
        if (top - root.pageMargin < root.contentY)
            root.contentY = Math.max(0, top - root.pageMargin);
        else if (bottom + root.pageMargin > root.contentY + root.height)
            root.contentY = Math.min(maxY, bottom + root.pageMargin - root.height);
    }

    // The field being typed in stays in view when it gets the focus, when the
    // keyboard comes and the page shrinks, and when its group grows (a
    // message appears under it). Once the layout has settled: positioners lay
    // out just before the frame, and the timer fires after that.
    readonly property Item focusedItem: Window.activeFocusItem
    onFocusedItemChanged: revealTimer.restart()
    onHeightChanged: revealTimer.restart()
    onContentHeightChanged: revealTimer.restart()
    Timer {
        id: revealTimer
        interval: 0
        onTriggered: root.ensureVisible(root.focusedItem)
    }

    Column {
        id: column
        x: Theme.margin
        y: root.pageMargin
        width: root.width - 2 * Theme.margin
        spacing: Theme.spacing

        Label {
            width: parent.width
            visible: root.title.length > 0
            text: root.title
            font.pixelSize: root.compact ? Theme.fontLarge : Theme.fontTitle
            font.bold: true
            color: Theme.text
            wrapMode: Text.Wrap
        }
    }
}
