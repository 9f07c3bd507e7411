// SPDX-License-Identifier: Apache-2.0
// The camera's live picture for the scan view, with a QrScanner reading the
// same frames: what it decodes goes to CardScan, which the scan view
// listens to. Loaded only in a kiosk built with scanning and only while a
// camera exists; a camera that fails says why over the picture.
import QtQuick
import QtQuick.Controls
import QtMultimedia
import Provisio.Kiosk

Item {
    id: root

    // A frame of at most 1280×720 is plenty for a card held up close and
    // keeps a Raspberry Pi's decoder fast; the largest such format wins.
    function chooseFormat() {
        let best = null;
        for (const format of camera.cameraDevice.videoFormats) {
            const size = format.resolution;
            if (size.width > 1280 || size.height > 720)
                continue;
            if (!best || size.width * size.height > best.resolution.width * best.resolution.height)
                best = format;
        }
        if (best)
            camera.cameraFormat = best;
    }

    MediaDevices {
        id: devices
    }

    CaptureSession {
        camera: Camera {
            id: camera
            cameraDevice: devices.defaultVideoInput
            active: true
            Component.onCompleted: root.chooseFormat()
        }
        videoOutput: preview
    }

    VideoOutput {
        id: preview
        objectName: "cameraPreview"
        anchors.fill: parent
        fillMode: VideoOutput.PreserveAspectCrop
    }

    QrScanner {
        objectName: "qrScanner"
        videoSink: preview.videoSink
        active: camera.active
        onDecoded: text => CardScan.reportDecoded(text)
    }

    Label {
        visible: camera.error !== Camera.NoError
        anchors.centerIn: parent
        width: parent.width * 0.8
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
        color: "#ffcdd2"
        text: qsTr("The camera cannot be used: %1").arg(camera.errorString)
    }
}
